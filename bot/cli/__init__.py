"""The `citebot` command (main.py), its console (console.py), what both print (output.py)."""
