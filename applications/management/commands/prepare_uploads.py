"""Make sure the uploads can be stored: the S3 bucket (UPLOADS_BUCKET) exists, or the folder does. Run by the
one-off migrate service/Job before any web or worker process starts; harmless when all is there."""

import os

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from sbcard.storage import EncryptedS3Storage


class Command(BaseCommand):
    help = "Create the uploads bucket (or folder) when it is missing."

    def handle(self, *args, **options):
        if not isinstance(default_storage, EncryptedS3Storage):
            os.makedirs(default_storage.location, mode=0o700, exist_ok=True)
            self.stdout.write(f"uploads: folder {default_storage.location}")
            return
        from botocore.exceptions import ClientError  # boto3 only matters with a bucket

        client, name = default_storage.connection.meta.client, default_storage.bucket_name
        try:
            client.head_bucket(Bucket=name)
            self.stdout.write(f"uploads: bucket {name} is there")
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
                raise
            region = client.meta.region_name
            options = {"CreateBucketConfiguration": {"LocationConstraint": region}} if region != "us-east-1" else {}
            client.create_bucket(Bucket=name, **options)
            self.stdout.write(f"uploads: bucket {name} created")
