"""The Python bridge's tests: python3 -m unittest discover -s python (from the repository's root,
after `npm run build`, which generates concurrency_bridge/_constants.py)."""
