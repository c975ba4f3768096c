"""atheris harness: `inbound_mail` of tadamun/security_suite/fuzz_targets.py (run by `make fuzz`).

python fuzz/fuzz_inbound_mail.py [libFuzzer options] [corpus directories]
"""

from _harness import run

if __name__ == "__main__":
    run("inbound_mail")
