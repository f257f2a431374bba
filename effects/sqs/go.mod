module gati.dev/gati/effects/sqs

go 1.26.0
