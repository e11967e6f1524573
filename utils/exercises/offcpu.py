"""A stand-in for a tensor on a GPU, for graders that run on the CPU only."""

from __future__ import annotations

import torch


class OffCPU(torch.Tensor):
    """Values that stand for a tensor on a GPU: ``.numpy()`` (and so
    ``np.asarray``) refuses, as PyTorch does off the CPU, until ``.cpu()``
    brings them back as a plain tensor."""

    def numpy(self, *args, **kwargs):
        raise TypeError(
            "can't convert a tensor on the GPU to NumPy: call .cpu() first (.cpu().numpy())."
        )

    def cpu(self, *args, **kwargs):
        return torch.Tensor.cpu(self, *args, **kwargs).as_subclass(torch.Tensor)

    def to(self, *args, **kwargs):
        """``.to("cpu")`` (or a CPU device) brings the values back too."""
        moved = torch.Tensor.to(self, *args, **kwargs)
        targets = [*args, kwargs.get("device")]
        if any(
            isinstance(t, (str, torch.device)) and torch.device(t).type == "cpu" for t in targets
        ):
            return moved.as_subclass(torch.Tensor)
        return moved


def off_cpu(*shape: int) -> OffCPU:
    """Zeros of ``shape`` that behave as if they were on a GPU."""
    return torch.zeros(*shape).as_subclass(OffCPU)
