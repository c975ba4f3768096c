"""atheris harness: `markdown` of tadamun/security_suite/fuzz_targets.py (run by `make fuzz`).

python fuzz/fuzz_markdown.py [libFuzzer options] [corpus directories]
"""

from _harness import run

if __name__ == "__main__":
    run("markdown")
