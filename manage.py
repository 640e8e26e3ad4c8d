#!/usr/bin/env python
"""Django's command-line utility; the installed `oasis` command does the same."""

from oasis.__main__ import main

if __name__ == "__main__":
    main()
