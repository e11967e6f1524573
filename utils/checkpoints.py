"""DigitNet checkpoints in the workbook cache (per profile): save, load, or
train and save.

Lab 06 saves its network here; lab 08 loads its networks, or trains them
once when their checkpoint is missing, with the settings it passes (the
caller's recipe: nothing here decides how a network is trained). Each
checkpoint keeps a note of how its network was trained.
"""

from __future__ import annotations

import torch

from .augment import vary_like_writers
from .config import cache_dir, checkpoint_dir, profile, progress
from .config import device as default_device
from .saved.lab06_nets import DigitNet, fit, train_step


def checkpoint_path(embed_dim=50, recipe=""):
    """Where the DigitNet of this width (and named recipe) is cached."""
    name = f"digitnet_{embed_dim}" + (f"_{recipe}" if recipe else "")
    return checkpoint_dir() / f"{name}.pt"


def save_digit_net(model, path, note=""):
    """Save a DigitNet's weights, constructor arguments and training note."""
    torch.save(
        {
            "embed_dim": model.embed_dim,
            "dropout": model.dropout,
            "note": note,
            "state_dict": model.state_dict(),
        },
        path,
    )


def load_digit_net(path, device):
    """A DigitNet and its training note from a checkpoint."""
    try:
        saved = torch.load(path, map_location=device, weights_only=True)
        model = DigitNet(saved["embed_dim"], saved["dropout"]).to(device)
        model.load_state_dict(saved["state_dict"])
    except Exception as err:
        raise RuntimeError(
            f"The checkpoint {path.name} in the workbook cache is corrupt or "
            f"not a DigitNet ({type(err).__name__}). Delete it and run "
            "again: the network will be retrained."
        ) from err
    return model.eval(), saved.get("note") or "no note on how it was trained"


def _load_or_train(path, train, device, about=""):
    """(model, message): the DigitNet saved at ``path``, else the one
    ``train()`` returns with its note, saved there. The message says which,
    with the path in the workbook cache and the profile (and ``about``)."""
    where = f"{path.relative_to(cache_dir())} in the workbook cache ({profile()} profile{about})"
    if path.exists():
        model, note = load_digit_net(path, device)
        return model, f"loaded {where}: {note}"
    model, note = train()
    save_digit_net(model, path, note)
    return model.eval(), f"no checkpoint yet: trained, saved {where}: {note}"


def load_or_train_digit_net(
    embed_dim, data, epochs, seed, *, dropout, recipe="", device=None, **fit_settings
):
    """A DigitNet of this width: its checkpoint if present, else trained and
    saved. Returns (model, message).

    The training is lab 06's ``fit`` on ``data.x_train``, ``data.y_train``
    for ``epochs``, with the caller's ``fit_settings`` (``learning_rate``,
    ``batch_size`` and any of ``shift``, ``degrees``, ``scale``, ``decay``)
    and ``dropout``; ``recipe`` names them in the checkpoint's file name.
    """
    device = device or default_device()

    def train():
        torch.manual_seed(seed)
        model = DigitNet(embed_dim, dropout)
        x = torch.from_numpy(data.x_train).reshape(-1, 1, 28, 28)
        y = torch.from_numpy(data.y_train)
        fit(
            model,
            x,
            y,
            epochs,
            seed=seed,
            device=device,
            name=f"DigitNet {embed_dim}",
            **fit_settings,
        )
        return model, f"{epochs} epochs on {len(y):,} images, seed {seed}"

    return _load_or_train(checkpoint_path(embed_dim, recipe), train, device, f", width {embed_dim}")


def load_or_train_augmented(
    data, epochs, seed, *, learning_rate, batch_size, embed_dim=50, device=None
):
    """A DigitNet trained on digits varied like handwriting: its checkpoint
    if present, else trained and saved. Returns (model, message).

    The training is Adam at a constant ``learning_rate`` on
    ``data.x_train``, each batch of ``batch_size`` varied afresh by
    ``vary_like_writers``, for ``epochs``.
    """
    device = device or default_device()

    def train():
        torch.manual_seed(seed)
        model = DigitNet(embed_dim).to(device)
        x = torch.from_numpy(data.x_train).reshape(-1, 1, 28, 28)
        y = torch.from_numpy(data.y_train)
        optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
        generator = torch.Generator().manual_seed(seed)
        for _ in progress(range(epochs), desc="augmented DigitNet", leave=False):
            model.train()
            order = torch.randperm(len(x), generator=generator)
            for start in range(0, len(x), batch_size):
                batch = order[start : start + batch_size]
                xb = vary_like_writers(x[batch], generator)
                train_step(model, optimizer, xb.to(device), y[batch].to(device))
        note = f"{epochs} epochs on {len(y):,} augmented images, seed {seed}"
        return model.eval(), note

    return _load_or_train(checkpoint_path(embed_dim, "augmented"), train, device)
