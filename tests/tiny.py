"""A detector that is quick to fit, for tests whose point is not the quality of its scores."""

from pyod_efficientgan import EfficientGAN

TINY = dict(
    epochs=1,
    latent_dim=2,
    encoder_units=(8,),
    generator_units=(8,),
    discriminator_units=(8, 8),
    n_estimators=1,
    random_state=0,
)
"""Networks of 8 units, a code of 2, one member, one epoch, seed 0."""


def tiny(**params):
    """An unfitted :class:`EfficientGAN` with :data:`TINY`, ``params`` over it."""
    return EfficientGAN(**{**TINY, **params})
