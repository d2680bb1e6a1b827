"""Policy documents many tests start from."""

import json


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# A role EC2 may assume: what an instance profile's role needs for its instances to get credentials.
EC2_TRUST = document({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
# Reading the objects of the bucket named reports.
READ_REPORTS = document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"})
