"""Small pieces every app uses (the API's error shape, the request's language); no models."""
