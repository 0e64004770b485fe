"""The realtime functions' code, run on AWS Lambda (Python 3.13) and packaged by `Realtime`.

Standard library and boto3 only (the Lambda runtime provides boto3): the function package is these
source files and nothing has to be built per CPU architecture. One module per function plus the
pieces they share:

- `authorizer`: the `$connect` Lambda authorizer (Cognito JWT, verified by `tokens`);
- `connections`: the `$connect`, `$disconnect` and `$default` routes (the connections table, `store`);
- `fanout`: a domain event from the platform's EventBridge bus → every open connection of its
  recipients, through the API Gateway management API; a connection gone (410) is removed.
"""
