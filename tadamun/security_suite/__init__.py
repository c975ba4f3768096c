"""The security suite (issue 7): tests only — no models, not an installed app."""
