"""The reader child process: `python -m index.ingest` serves `reader.Reader` (see reader.py)."""

from index.ingest.reader import main

main()
