"""batchtui: cost-aware capacity planning and operations for AWS Batch."""

__version__ = "0.1.0"
