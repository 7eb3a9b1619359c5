"""lambdawait: safe-to-script AWS Lambda deployments."""

__version__ = "0.1.0"
