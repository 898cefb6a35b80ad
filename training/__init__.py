"""Training and evaluation of wiretag models, with the project's corpus and taxonomy."""
