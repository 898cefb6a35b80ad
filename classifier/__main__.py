"""`python -m classifier` runs the wiretag command line."""

from classifier.cli import main

main()
