"""Input and output shapes, in AWS's field names (UserName, PolicyDocument, CreateDate, ...).

Input serializers only check types and presence: the operations check values, with AWS's codes and messages.
"""
