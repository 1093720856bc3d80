"""Scale-out: training under :mod:`tf.distribute`, from chunks, and scoring with Dask.

None of it is needed to detect outliers in data that fits in memory:

- :mod:`~pyod_efficientgan.scaleout.distribute`: ``fit`` inside a
  :mod:`tf.distribute` strategy's scope trains data-parallel (TensorFlow
  backend only);
- :mod:`~pyod_efficientgan.scaleout.streaming`: the chunk sources of
  :meth:`EfficientGAN.fit_chunks <pyod_efficientgan.EfficientGAN.fit_chunks>`
  (data larger than memory), on every backend;
- :mod:`~pyod_efficientgan.scaleout.dask_scoring`: scoring Dask arrays and
  DataFrames on a cluster (the ``scale`` extra).
"""
