"""What the browser and the server processes need, without Streamlit: latent-plane files (plane),
decoder exports (export), the static folder (static), the job queue (queue: jobs here, cluster on a
lecture hall's Dask workers; child: imports and the lecture's preparation), the hall (serve)."""
