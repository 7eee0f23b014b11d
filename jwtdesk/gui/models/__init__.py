"""Qt item models over services; they never hold or return secret material."""
