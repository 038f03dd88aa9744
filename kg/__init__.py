"""kg: machine-learning paper abstracts to a cross-paper knowledge graph."""

__all__ = ["__version__"]

__version__ = "0.1.0"
