"""The image-tagging worker: S3 image -> Rekognition labels -> DynamoDB item.

It runs as an AWS Batch job (one array child tags one slice of the images) and depends on
boto3 only. The sandbox runs it as a real process against its own endpoint.
"""

__version__ = "0.1.0"
