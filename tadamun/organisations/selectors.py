def network_stats(*, viewer) -> dict:
    return {"organisations": 0, "iraqi": 0, "international": 0, "governorates": 0}
