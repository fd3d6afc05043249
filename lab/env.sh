# Environment of every lab command: all AWS SDK calls go to the stand-in, with fake credentials,
# so that a forgotten endpoint can never reach AWS. Source it: `. lab/env.sh`.
export AWS_ENDPOINT_URL=http://127.0.0.1:5000
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN
