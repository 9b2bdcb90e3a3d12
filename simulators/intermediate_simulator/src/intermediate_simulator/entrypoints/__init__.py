"""HTTP: the ward's API (`/intermediate/v1/*`) and the test side (`/sim/*`, other bodies too)."""
