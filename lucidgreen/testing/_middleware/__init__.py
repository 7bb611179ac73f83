"""What stands between a request and its route: authentication (tokens) and throttling."""
