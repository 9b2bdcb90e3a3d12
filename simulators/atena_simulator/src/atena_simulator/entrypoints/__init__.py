"""HTTP: the ward's API (`/atena/v1/*`) and the test side (`/sim/*`)."""
