"""Student answers for lab 06 (convolution sizes, DigitNet, a training step, MNIST's box)."""
import math

import numpy as np
import torch
from PIL import Image
from scipy import ndimage
from torch import nn
from torch.nn import functional as F

from utils.nets import conv_output_size  # the notebook's name, used by DigitNet


# -------------------------------------------------------- 6.1 conv_output_size
def conv_output_size__wrong_no_plus_one(n, kernel, stride=1, padding=0):
    """Forgets the + 1: counts the steps, not the positions."""
    return (n + 2 * padding - kernel) // stride


def conv_output_size__wrong_padding_once(n, kernel, stride=1, padding=0):
    """Pads one side only: n + padding."""
    return (n + padding - kernel) // stride + 1


def conv_output_size__wrong_true_division(n, kernel, stride=1, padding=0):
    """/ instead of //: a float, and a fraction when the stride does not divide."""
    return (n + 2 * padding - kernel) / stride + 1


def conv_output_size__wrong_ceil(n, kernel, stride=1, padding=0):
    """Rounds up: counts a last window that sticks out of the image."""
    return math.ceil((n + 2 * padding - kernel) / stride) + 1


def conv_output_size__wrong_ignores_stride(n, kernel, stride=1, padding=0):
    """Ignores the stride."""
    return n + 2 * padding - kernel + 1


def conv_output_size__wrong_plus_one_inside(n, kernel, stride=1, padding=0):
    """(n + 2p - k + 1) // s: the + 1 divided by the stride too."""
    return (n + 2 * padding - kernel + 1) // stride


def conv_output_size__wrong_delegates(n, kernel, stride=1, padding=0):
    """Calls the saved reference in utils."""
    from utils.nets import conv_output_size as reference
    return reference(n, kernel, stride, padding)


def conv_output_size__right_floor(n, kernel, stride=1, padding=0):
    """int(math.floor(...)) + 1 with true division."""
    return int(math.floor((n + 2 * padding - kernel) / stride)) + 1


def conv_output_size__right_shifted_numerator(n, kernel, stride=1, padding=0):
    """floor((x + s) / s) = floor(x / s) + 1 for integers."""
    return (n + 2 * padding - kernel + stride) // stride


def conv_output_size__right_named_steps(n, kernel, stride=1, padding=0):
    """The last start position that fits, divided into whole strides."""
    padded = n + 2 * padding
    last_start = padded - kernel
    steps = last_start // stride
    return int(steps + 1)


# -------------------------------------------------------- 6.2 conv_param_count
def conv_param_count__wrong_no_bias(c_in, c_out, kernel):
    """Forgets the biases."""
    return c_out * c_in * kernel * kernel


def conv_param_count__wrong_single_bias(c_in, c_out, kernel):
    """One bias for the whole layer instead of one per output channel."""
    return c_out * c_in * kernel * kernel + 1


def conv_param_count__wrong_bias_per_input(c_in, c_out, kernel):
    """A bias per (input, output) channel pair."""
    return c_out * c_in * (kernel * kernel + 1)


def conv_param_count__wrong_kernel_not_squared(c_in, c_out, kernel):
    """kernel instead of kernel * kernel."""
    return c_out * (c_in * kernel + 1)


def conv_param_count__wrong_forgets_input_channels(c_in, c_out, kernel):
    """Each filter sees one channel: c_in left out."""
    return c_out * (kernel * kernel + 1)


def conv_param_count__wrong_bias_count_from_inputs(c_in, c_out, kernel):
    """Adds c_in biases instead of c_out."""
    return c_out * c_in * kernel * kernel + c_in


def conv_param_count__wrong_delegates(c_in, c_out, kernel):
    """Calls the saved reference in utils."""
    from utils.nets import conv_param_count as reference
    return reference(c_in, c_out, kernel)


def conv_param_count__right_expanded(c_in, c_out, kernel):
    """Weights and biases as two separate terms."""
    weights = c_out * c_in * kernel ** 2
    biases = c_out
    return weights + biases


def conv_param_count__right_count_module(c_in, c_out, kernel):
    """Builds the layer on the meta device (no memory) and counts its parameters."""
    layer = nn.Conv2d(c_in, c_out, kernel, device="meta")
    return sum(p.numel() for p in layer.parameters())


# ---------------------------------------------------------------- 6.3 DigitNet
class DigitNet__wrong_fixed_width(nn.Module):
    """Hard-codes the 50-unit hidden layer: ignores embed_dim."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x):
        """Log-probabilities."""
        h = F.dropout(self.embed(x), self.dropout, training=self.training)
        return F.log_softmax(self.fc2(h), dim=1)


class DigitNet__wrong_dropout_always_on(nn.Module):
    """F.dropout without training=self.training: drops in evaluation mode too."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(320, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x):
        """Log-probabilities."""
        h = F.dropout(self.embed(x), self.dropout)
        return F.log_softmax(self.fc2(h), dim=1)


class DigitNet__wrong_elementwise_map_dropout(nn.Module):
    """nn.Dropout on the maps: drops single pixels, not whole maps."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout(dropout)
        self.fc1 = nn.Linear(320, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x):
        """Log-probabilities."""
        h = F.dropout(self.embed(x), self.dropout, training=self.training)
        return F.log_softmax(self.fc2(h), dim=1)


class DigitNet__wrong_returns_logits(nn.Module):
    """forward returns the scores of fc2, without the log-softmax."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(320, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x):
        """Scores, not log-probabilities."""
        return self.fc2(F.dropout(self.embed(x), self.dropout, training=self.training))


class DigitNet__wrong_softmax_not_log(nn.Module):
    """F.softmax instead of F.log_softmax: probabilities, not their logarithms."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(320, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x):
        """Probabilities."""
        h = F.dropout(self.embed(x), self.dropout, training=self.training)
        return F.softmax(self.fc2(h), dim=1)


class DigitNet__wrong_log_softmax_dim0(nn.Module):
    """log_softmax over the batch (dim=0) instead of the classes."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(320, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x):
        """Log-probabilities normalised over the wrong axis."""
        h = F.dropout(self.embed(x), self.dropout, training=self.training)
        return F.log_softmax(self.fc2(h), dim=0)


class DigitNet__wrong_no_relu_on_embedding(nn.Module):
    """embed stops at fc1 without its ReLU."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(320, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer, before its ReLU."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return self.fc1(x.flatten(1))

    def forward(self, x):
        """Log-probabilities."""
        h = F.relu(self.embed(x))
        h = F.dropout(h, self.dropout, training=self.training)
        return F.log_softmax(self.fc2(h), dim=1)


class DigitNet__wrong_dropout_inside_embed(nn.Module):
    """Applies the hidden dropout inside embed, so embed is random in training mode."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(320, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer, with dropout."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        h = F.relu(self.fc1(x.flatten(1)))
        return F.dropout(h, self.dropout, training=self.training)

    def forward(self, x):
        """Log-probabilities."""
        return F.log_softmax(self.fc2(self.embed(x)), dim=1)


class DigitNet__wrong_layer_names(nn.Module):
    """Other attribute names: the checkpoint's keys no longer match."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv_a = nn.Conv2d(1, 10, kernel_size=5)
        self.conv_b = nn.Conv2d(10, 20, kernel_size=5)
        self.map_drop = nn.Dropout2d(dropout)
        self.hidden = nn.Linear(320, embed_dim)
        self.out = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.relu(F.max_pool2d(self.conv_a(x), 2))
        x = F.relu(F.max_pool2d(self.map_drop(self.conv_b(x)), 2))
        return F.relu(self.hidden(x.flatten(1)))

    def forward(self, x):
        """Log-probabilities."""
        h = F.dropout(self.embed(x), self.dropout, training=self.training)
        return F.log_softmax(self.out(h), dim=1)


class DigitNet__wrong_dropout_as_module(nn.Module):
    """self.dropout becomes an nn.Dropout module: the rate is no longer a number."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim = embed_dim
        self.dropout = nn.Dropout(dropout)
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(320, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x):
        """Log-probabilities."""
        return F.log_softmax(self.fc2(self.dropout(self.embed(x))), dim=1)


class DigitNet__wrong_fc1_inputs(nn.Module):
    """fc1 with 20 * 5 * 5 = 500 inputs: the sizes were counted wrongly."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(500, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x):
        """Log-probabilities."""
        h = F.dropout(self.embed(x), self.dropout, training=self.training)
        return F.log_softmax(self.fc2(h), dim=1)


class DigitNet__wrong_second_pool_missing(nn.Module):
    """Forgets the second max-pool (and sizes fc1 for 20 x 8 x 8 to match)."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(20 * 8 * 8, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(self.conv2_drop(self.conv2(x)))
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x):
        """Log-probabilities."""
        h = F.dropout(self.embed(x), self.dropout, training=self.training)
        return F.log_softmax(self.fc2(h), dim=1)


class DigitNet__wrong_fixed_rate(nn.Module):
    """Hidden dropout at a hard-coded 0.5, whatever the dropout argument."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(320, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x):
        """Log-probabilities."""
        h = F.dropout(self.embed(x), 0.5, training=self.training)
        return F.log_softmax(self.fc2(h), dim=1)


def _reference_digit_net():
    from utils.nets import DigitNet as reference
    return reference


class DigitNet__wrong_delegates(_reference_digit_net()):
    """Subclasses the saved reference in utils instead of writing the network."""


class DigitNet__right_relu_before_pool(nn.Module):
    """ReLU before max-pooling: the two commute, so the outputs are the same."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim = embed_dim
        self.dropout = dropout
        self.conv1 = nn.Conv2d(in_channels=1, out_channels=10, kernel_size=5)
        self.conv2 = nn.Conv2d(in_channels=10, out_channels=20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(p=dropout)
        self.fc1 = nn.Linear(in_features=20 * 4 * 4, out_features=embed_dim)
        self.fc2 = nn.Linear(in_features=embed_dim, out_features=10)

    def embed(self, x):
        """The hidden layer."""
        x = F.max_pool2d(F.relu(self.conv1(x)), kernel_size=2)
        x = F.max_pool2d(F.relu(self.conv2_drop(self.conv2(x))), kernel_size=2)
        x = x.view(x.size(0), -1)
        return F.relu(self.fc1(x))

    def forward(self, x):
        """Log-probabilities."""
        h = self.embed(x)
        if self.training:
            h = F.dropout(h, p=self.dropout, training=True)
        return torch.log_softmax(self.fc2(h), dim=-1)


class DigitNet__right_sizes_computed(nn.Module):
    """fc1's inputs computed with conv_output_size; torch.flatten and Tensor methods."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        side = conv_output_size(conv_output_size(28, 5), 2, stride=2)
        side = conv_output_size(conv_output_size(side, 5), 2, stride=2)
        self.conv1 = nn.Conv2d(1, 10, 5)
        self.conv2 = nn.Conv2d(10, 20, 5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(20 * side * side, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.max_pool2d(self.conv1(x), 2).relu()
        x = F.max_pool2d(self.conv2_drop(self.conv2(x)), 2).relu()
        return self.fc1(torch.flatten(x, start_dim=1)).relu()

    def forward(self, x):
        """Log-probabilities."""
        h = nn.functional.dropout(self.embed(x), self.dropout, self.training)
        return self.fc2(h).log_softmax(dim=1)


class DigitNet__right_drop_after_pool(nn.Module):
    """conv2_drop after the pooling: a per-map scale commutes with max-pooling."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(320, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(self.conv2_drop(F.max_pool2d(self.conv2(x), 2)))
        return F.relu(self.fc1(x.reshape(len(x), -1)))

    def forward(self, x):
        """Log-probabilities."""
        h = F.dropout(self.embed(x), self.dropout, training=self.training)
        return F.log_softmax(self.fc2(h), dim=1)


# -------------------------------------------------------------- 6.4 train_step
def train_step__wrong_no_zero_grad(model, optimizer, xb, yb):
    """Never clears the gradients: they accumulate from step to step."""
    log_probs = model(xb)
    loss = F.nll_loss(log_probs, yb)
    loss.backward()
    optimizer.step()
    return loss.item(), (log_probs.argmax(1) == yb).sum().item()


def train_step__wrong_zero_grad_before_step(model, optimizer, xb, yb):
    """Clears the gradients between backward and step: the step has nothing to do."""
    log_probs = model(xb)
    loss = F.nll_loss(log_probs, yb)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item(), (log_probs.argmax(1) == yb).sum().item()


def train_step__wrong_loss_tensor(model, optimizer, xb, yb):
    """Returns the loss tensor and the count tensor, not a float and an int."""
    optimizer.zero_grad()
    log_probs = model(xb)
    loss = F.nll_loss(log_probs, yb)
    loss.backward()
    optimizer.step()
    return loss, (log_probs.argmax(1) == yb).sum()


def train_step__wrong_accuracy_not_count(model, optimizer, xb, yb):
    """Returns the fraction correct instead of the number correct."""
    optimizer.zero_grad()
    log_probs = model(xb)
    loss = F.nll_loss(log_probs, yb)
    loss.backward()
    optimizer.step()
    return loss.item(), (log_probs.argmax(1) == yb).float().mean().item()


def train_step__wrong_float_count(model, optimizer, xb, yb):
    """Counts with .float().sum(): the number correct comes back as a float."""
    optimizer.zero_grad()
    log_probs = model(xb)
    loss = F.nll_loss(log_probs, yb)
    loss.backward()
    optimizer.step()
    return loss.item(), (log_probs.argmax(1) == yb).float().sum().item()


def train_step__wrong_sets_train_mode(model, optimizer, xb, yb):
    """Calls model.train() and model.eval() itself: the mode is not left alone."""
    model.train()
    optimizer.zero_grad()
    log_probs = model(xb)
    loss = F.nll_loss(log_probs, yb)
    loss.backward()
    optimizer.step()
    model.eval()
    return loss.item(), (log_probs.argmax(1) == yb).sum().item()


def train_step__wrong_summed_loss(model, optimizer, xb, yb):
    """reduction="sum": the step scales with the batch size, the loss is not a mean."""
    optimizer.zero_grad()
    log_probs = model(xb)
    loss = F.nll_loss(log_probs, yb, reduction="sum")
    loss.backward()
    optimizer.step()
    return loss.item(), (log_probs.argmax(1) == yb).sum().item()


def train_step__wrong_loss_after_update(model, optimizer, xb, yb):
    """Reports the loss and the count of a second forward pass after the step."""
    optimizer.zero_grad()
    F.nll_loss(model(xb), yb).backward()
    optimizer.step()
    with torch.no_grad():
        log_probs = model(xb)
        loss = F.nll_loss(log_probs, yb)
    return loss.item(), int((log_probs.argmax(1) == yb).sum())


def train_step__wrong_delegates(model, optimizer, xb, yb):
    """Calls the saved reference in utils."""
    from utils.nets import train_step as reference
    return reference(model, optimizer, xb, yb)


def train_step__right_cross_entropy_on_log_probs(model, optimizer, xb, yb):
    """F.cross_entropy of log-probabilities: log_softmax of them changes nothing."""
    model.zero_grad(set_to_none=True)
    out = model(xb)
    loss = F.cross_entropy(out, yb)
    loss.backward()
    optimizer.step()
    correct = int(torch.eq(out.argmax(dim=1), yb).sum())
    return float(loss.detach()), correct


def train_step__right_keep_zeros(model, optimizer, xb, yb):
    """zero_grad(set_to_none=False), max() for the predictions, sum of a bool list."""
    optimizer.zero_grad(set_to_none=False)
    log_probs = model(xb)
    loss = F.nll_loss(log_probs, yb, reduction="mean")
    loss.backward()
    optimizer.step()
    _, predicted = log_probs.detach().max(dim=1)
    return loss.item(), int((predicted == yb).sum().item())


# --------------------------------------------------------------- 6.9 mnist_box
def _as_ink(ink):
    """The input checks written in the notebook, kept in every answer."""
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2:
        raise ValueError(f"mnist_box needs a 2-D image (rows, columns), "
                         f"got an array of shape {ink.shape}.")
    if not (ink > 0).any():
        raise ValueError("mnist_box found no ink: no pixel is above 0. "
                         "Pass the ink (bright) on a background of 0.")
    return ink


def _crop(ink):
    rows, cols = np.nonzero(ink > 0)
    return ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]


def _paste(small, height, width, dtype=np.float32):
    canvas = np.zeros((28, 28), dtype=dtype)
    top, left = (28 - height) // 2, (28 - width) // 2
    canvas[top:top + height, left:left + width] = np.clip(np.asarray(small), 0, None)
    return canvas


def _centre(canvas):
    cy, cx = ndimage.center_of_mass(canvas)
    return ndimage.shift(canvas, (14 - cy, 14 - cx), order=1)


def mnist_box__wrong_nearest_resize(ink):
    """Image.NEAREST: no anti-aliasing, a fine pattern aliases."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height),
                                                               Image.NEAREST)
    return _centre(_paste(small, height, width))


def mnist_box__wrong_square_resize(ink):
    """Resizes to 20 x 20: the aspect ratio is lost."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((20, 20), Image.LANCZOS)
    return _centre(_paste(small, 20, 20))


def mnist_box__wrong_no_centre_of_mass(ink):
    """Pastes in the middle but never shifts the centre of mass to (14, 14)."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height),
                                                               Image.LANCZOS)
    return _paste(small, height, width)


def mnist_box__wrong_shift_reversed(ink):
    """Shifts by (cy - 14, cx - 14): away from the centre."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height),
                                                               Image.LANCZOS)
    canvas = _paste(small, height, width)
    cy, cx = ndimage.center_of_mass(canvas)
    return ndimage.shift(canvas, (cy - 14, cx - 14), order=1)


def mnist_box__wrong_rescaled_values(ink):
    """Divides by the maximum to get [0, 1]: the spec says not to rescale."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height),
                                                               Image.LANCZOS)
    canvas = _centre(_paste(small, height, width))
    return canvas / canvas.max()


def mnist_box__wrong_size_order(ink):
    """Passes (height, width) to PIL, which expects (width, height)."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((height, width),
                                                               Image.LANCZOS)
    small = np.asarray(small)
    return _centre(_paste(small, *small.shape))


def mnist_box__wrong_no_clip(ink):
    """Keeps Lanczos's negative ringing."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height),
                                                               Image.LANCZOS)
    canvas = np.zeros((28, 28), dtype=np.float32)
    top, left = (28 - height) // 2, (28 - width) // 2
    canvas[top:top + height, left:left + width] = np.asarray(small)
    return _centre(canvas)


def mnist_box__wrong_crop_off_by_one(ink):
    """rows.max() as an exclusive end: the last ink row and column are cut off."""
    ink = _as_ink(ink)
    rows, cols = np.nonzero(ink > 0)
    crop = ink[rows.min():rows.max(), cols.min():cols.max()]
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height),
                                                               Image.LANCZOS)
    return _centre(_paste(small, height, width))


def mnist_box__wrong_float64(ink):
    """np.zeros((28, 28)) in float64: the image comes back as float64."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height),
                                                               Image.LANCZOS)
    return _centre(_paste(small, height, width, dtype=np.float64))


def mnist_box__wrong_centre_13_5(ink):
    """Moves the centre of mass to the geometric centre (13.5, 13.5), not (14, 14)."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height),
                                                               Image.LANCZOS)
    canvas = _paste(small, height, width)
    cy, cx = ndimage.center_of_mass(canvas)
    return ndimage.shift(canvas, (13.5 - cy, 13.5 - cx), order=1)


def mnist_box__wrong_truncated_size(ink):
    """int() truncates the sizes: the long side can come out 19 px."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, int(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height),
                                                               Image.LANCZOS)
    return _centre(_paste(small, height, width))


def mnist_box__wrong_thin_stroke_crash(ink):
    """No max(1, ...): a long thin stroke rounds to 0 px and PIL fails."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (round(n * scale) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height),
                                                               Image.LANCZOS)
    return _centre(_paste(small, height, width))


def mnist_box__wrong_scaled_by_shorter_side(ink):
    """Scales the shorter side to 20 px: the longer one no longer fits."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / min(crop.shape)
    height, width = (min(28, max(1, round(n * scale))) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height),
                                                               Image.LANCZOS)
    return _centre(_paste(small, height, width))


def mnist_box__wrong_whole_pixel_roll(ink):
    """Moves the centre of mass with np.roll by whole pixels: no sub-pixel shift."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height),
                                                               Image.LANCZOS)
    canvas = _paste(small, height, width)
    cy, cx = ndimage.center_of_mass(canvas)
    return np.roll(canvas, (round(14 - cy), round(14 - cx)), axis=(0, 1))


def mnist_box__wrong_delegates(ink):
    """Calls the saved reference in utils."""
    from utils.photo import mnist_box as reference
    return reference(ink)


def mnist_box__right_any_crop_manual_com(ink):
    """Crop from np.any over rows and columns; centre of mass by np.indices."""
    ink = _as_ink(ink)
    mask = ink > 0
    r = np.flatnonzero(mask.any(axis=1))
    c = np.flatnonzero(mask.any(axis=0))
    crop = np.ascontiguousarray(ink[r[0]:r[-1] + 1, c[0]:c[-1] + 1])
    h0, w0 = crop.shape
    longer = max(h0, w0)
    height = max(1, round(h0 * 20 / longer))
    width = max(1, round(w0 * 20 / longer))
    small = np.asarray(Image.fromarray(crop).resize((width, height),
                                                    Image.Resampling.LANCZOS))
    canvas = np.zeros((28, 28), np.float32)
    top = 14 - (height + 1) // 2
    left = 14 - (width + 1) // 2
    canvas[top:top + height, left:left + width] = np.maximum(small, 0)
    rows, cols = np.indices(canvas.shape, dtype=np.float64)
    mass = canvas.sum()
    cy = (rows * canvas).sum() / mass
    cx = (cols * canvas).sum() / mass
    return ndimage.shift(canvas, (14 - cy, 14 - cx), order=1, mode="constant", cval=0.0)


def mnist_box__right_pil_image_steps(ink):
    """The same steps with named intermediate images and argwhere for the box."""
    ink = _as_ink(ink)
    corners = np.argwhere(ink > 0)
    (top, left), (bottom, right) = corners.min(axis=0), corners.max(axis=0) + 1
    crop = ink[top:bottom, left:right].copy()
    factor = 20.0 / max(crop.shape)
    new_h = max(1, int(round(crop.shape[0] * factor)))
    new_w = max(1, int(round(crop.shape[1] * factor)))
    picture = Image.fromarray(crop)
    resized = np.array(picture.resize((new_w, new_h), resample=Image.LANCZOS))
    resized[resized < 0] = 0
    canvas = np.zeros((28, 28), dtype=np.float32)
    y0, x0 = (28 - new_h) // 2, (28 - new_w) // 2
    canvas[y0:y0 + new_h, x0:x0 + new_w] = resized
    centre = np.array(ndimage.center_of_mass(canvas))
    return ndimage.shift(canvas, np.array([14.0, 14.0]) - centre, order=1)


ANSWERS = {
    "6.1": {"wrong": [conv_output_size__wrong_no_plus_one,
                      conv_output_size__wrong_padding_once,
                      conv_output_size__wrong_true_division,
                      conv_output_size__wrong_ceil, conv_output_size__wrong_ignores_stride,
                      conv_output_size__wrong_plus_one_inside,
                      conv_output_size__wrong_delegates],
            "right": [conv_output_size__right_floor,
                      conv_output_size__right_shifted_numerator,
                      conv_output_size__right_named_steps]},
    "6.2": {"wrong": [conv_param_count__wrong_no_bias, conv_param_count__wrong_single_bias,
                      conv_param_count__wrong_bias_per_input,
                      conv_param_count__wrong_kernel_not_squared,
                      conv_param_count__wrong_forgets_input_channels,
                      conv_param_count__wrong_bias_count_from_inputs,
                      conv_param_count__wrong_delegates],
            "right": [conv_param_count__right_expanded,
                      conv_param_count__right_count_module]},
    "6.3": {"wrong": [DigitNet__wrong_fixed_width, DigitNet__wrong_dropout_always_on,
                      DigitNet__wrong_elementwise_map_dropout,
                      DigitNet__wrong_returns_logits, DigitNet__wrong_softmax_not_log,
                      DigitNet__wrong_log_softmax_dim0,
                      DigitNet__wrong_no_relu_on_embedding,
                      DigitNet__wrong_dropout_inside_embed, DigitNet__wrong_layer_names,
                      DigitNet__wrong_dropout_as_module, DigitNet__wrong_fc1_inputs,
                      DigitNet__wrong_second_pool_missing, DigitNet__wrong_fixed_rate,
                      DigitNet__wrong_delegates],
            "right": [DigitNet__right_relu_before_pool, DigitNet__right_sizes_computed,
                      DigitNet__right_drop_after_pool]},
    "6.4": {"wrong": [train_step__wrong_no_zero_grad,
                      train_step__wrong_zero_grad_before_step,
                      train_step__wrong_loss_tensor, train_step__wrong_accuracy_not_count,
                      train_step__wrong_float_count, train_step__wrong_sets_train_mode,
                      train_step__wrong_summed_loss, train_step__wrong_loss_after_update,
                      train_step__wrong_delegates],
            "right": [train_step__right_cross_entropy_on_log_probs,
                      train_step__right_keep_zeros]},
    "6.9": {"wrong": [mnist_box__wrong_nearest_resize, mnist_box__wrong_square_resize,
                      mnist_box__wrong_no_centre_of_mass, mnist_box__wrong_shift_reversed,
                      mnist_box__wrong_rescaled_values, mnist_box__wrong_size_order,
                      mnist_box__wrong_no_clip, mnist_box__wrong_crop_off_by_one,
                      mnist_box__wrong_float64, mnist_box__wrong_centre_13_5,
                      mnist_box__wrong_truncated_size, mnist_box__wrong_thin_stroke_crash,
                      mnist_box__wrong_scaled_by_shorter_side,
                      mnist_box__wrong_whole_pixel_roll, mnist_box__wrong_delegates],
            "right": [mnist_box__right_any_crop_manual_com,
                      mnist_box__right_pil_image_steps]},
}
