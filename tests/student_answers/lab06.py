"""Student answers for lab 06 (convolution sizes, DigitNet, a training step, MNIST's box)."""

import math

import numpy as np
import torch
from PIL import Image
from scipy import ndimage
from torch import nn
from torch.nn import functional as F

from utils.saved.lab06_nets import conv_output_size, train_step  # the notebook's names


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
    from utils.saved.lab06_nets import conv_output_size as reference

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
    from utils.saved.lab06_nets import conv_param_count as reference

    return reference(c_in, c_out, kernel)


def conv_param_count__right_expanded(c_in, c_out, kernel):
    """Weights and biases as two separate terms."""
    weights = c_out * c_in * kernel**2
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
    from utils.saved.lab06_nets import DigitNet as reference

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
    from utils.saved.lab06_nets import train_step as reference

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


# --------------------------------------------------------- 6.5 train_net_epoch
def train_net_epoch__wrong_mean_of_batch_means(
    model, x, y, optimizer, batch_size, generator, device, scheduler=None
):
    """Averages the batch mean losses: the small last batch weighs as much as a full one."""
    model.train()
    order = torch.randperm(len(x), generator=generator)
    losses, correct = [], 0
    for start in range(0, len(x), batch_size):
        idx = order[start : start + batch_size]
        xb = x[idx].to(device, memory_format=torch.channels_last)
        yb = y[idx].to(device)
        loss, right = train_step(model, optimizer, xb, yb)
        losses.append(loss)
        correct += right
        if scheduler is not None:
            scheduler.step()
    return sum(losses) / len(losses), correct / len(x)


def train_net_epoch__wrong_accuracy_mean_of_batches(
    model, x, y, optimizer, batch_size, generator, device, scheduler=None
):
    """Loss weighted right, but the accuracy is a mean of the batches' accuracies."""
    model.train()
    order = torch.randperm(len(x), generator=generator)
    total_loss, accuracies = 0.0, []
    for start in range(0, len(x), batch_size):
        idx = order[start : start + batch_size]
        xb = x[idx].to(device, memory_format=torch.channels_last)
        yb = y[idx].to(device)
        loss, right = train_step(model, optimizer, xb, yb)
        total_loss += loss * len(idx)
        accuracies.append(right / len(idx))
        if scheduler is not None:
            scheduler.step()
    return total_loss / len(x), sum(accuracies) / len(accuracies)


def train_net_epoch__wrong_drops_last(
    model, x, y, optimizer, batch_size, generator, device, scheduler=None
):
    """Only full batches: the images of the last, smaller batch are never seen."""
    model.train()
    order = torch.randperm(len(x), generator=generator)
    n_full = len(x) // batch_size
    total_loss, correct, seen = 0.0, 0, 0
    for b in range(n_full):
        idx = order[b * batch_size : (b + 1) * batch_size]
        xb = x[idx].to(device, memory_format=torch.channels_last)
        yb = y[idx].to(device)
        loss, right = train_step(model, optimizer, xb, yb)
        total_loss += loss * len(idx)
        correct += right
        seen += len(idx)
        if scheduler is not None:
            scheduler.step()
    return total_loss / seen, correct / seen


def train_net_epoch__wrong_global_rng(
    model, x, y, optimizer, batch_size, generator, device, scheduler=None
):
    """torch.randperm without generator=: the global RNG, the seed does not fix the order."""
    model.train()
    order = torch.randperm(len(x))
    total_loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        idx = order[start : start + batch_size]
        xb = x[idx].to(device, memory_format=torch.channels_last)
        yb = y[idx].to(device)
        loss, right = train_step(model, optimizer, xb, yb)
        total_loss += loss * len(idx)
        correct += right
        if scheduler is not None:
            scheduler.step()
    return total_loss / len(x), correct / len(x)


def train_net_epoch__wrong_redraws_per_batch(
    model, x, y, optimizer, batch_size, generator, device, scheduler=None
):
    """Draws a fresh permutation for every batch: some images twice, others never."""
    model.train()
    n = len(x)
    total_loss, correct = 0.0, 0
    for start in range(0, n, batch_size):
        idx = torch.randperm(n, generator=generator)[start : start + batch_size]
        xb = x[idx].to(device, memory_format=torch.channels_last)
        yb = y[idx].to(device)
        loss, right = train_step(model, optimizer, xb, yb)
        total_loss += loss * len(idx)
        correct += right
        if scheduler is not None:
            scheduler.step()
    return total_loss / n, correct / n


def train_net_epoch__wrong_no_train_mode(
    model, x, y, optimizer, batch_size, generator, device, scheduler=None
):
    """Never calls model.train(): after an evaluation, dropout stays off."""
    order = torch.randperm(len(x), generator=generator)
    total_loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        idx = order[start : start + batch_size]
        xb = x[idx].to(device, memory_format=torch.channels_last)
        yb = y[idx].to(device)
        loss, right = train_step(model, optimizer, xb, yb)
        total_loss += loss * len(idx)
        correct += right
        if scheduler is not None:
            scheduler.step()
    return total_loss / len(x), correct / len(x)


def train_net_epoch__wrong_scheduler_per_epoch(
    model, x, y, optimizer, batch_size, generator, device, scheduler=None
):
    """Steps the scheduler once at the end of the epoch, not after every batch."""
    model.train()
    order = torch.randperm(len(x), generator=generator)
    total_loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        idx = order[start : start + batch_size]
        xb = x[idx].to(device, memory_format=torch.channels_last)
        yb = y[idx].to(device)
        loss, right = train_step(model, optimizer, xb, yb)
        total_loss += loss * len(idx)
        correct += right
    if scheduler is not None:
        scheduler.step()
    return total_loss / len(x), correct / len(x)


def train_net_epoch__wrong_no_channels_last(
    model, x, y, optimizer, batch_size, generator, device, scheduler=None
):
    """Moves the images with a plain .to(device): not in the channels_last format."""
    model.train()
    order = torch.randperm(len(x), generator=generator)
    total_loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        idx = order[start : start + batch_size]
        xb = x[idx].to(device)
        yb = y[idx].to(device)
        loss, right = train_step(model, optimizer, xb, yb)
        total_loss += loss * len(idx)
        correct += right
        if scheduler is not None:
            scheduler.step()
    return total_loss / len(x), correct / len(x)


def train_net_epoch__wrong_delegates(
    model, x, y, optimizer, batch_size, generator, device, scheduler=None
):
    """Calls the saved reference in utils."""
    from utils.saved.lab06_nets import train_net_epoch as reference

    return reference(model, x, y, optimizer, batch_size, generator, device, scheduler)


def train_net_epoch__right_split(
    model, x, y, optimizer, batch_size, generator, device, scheduler=None
):
    """Tensor.split of the permutation; sums weighted by each batch's length."""
    model.train(True)
    perm = torch.randperm(x.shape[0], generator=generator)
    loss_sum, n_correct, n_seen = 0.0, 0, 0
    for idx in perm.split(batch_size):
        images = x.index_select(0, idx).to(device, memory_format=torch.channels_last)
        labels = y.index_select(0, idx).to(device)
        batch_loss, batch_correct = train_step(model, optimizer, images, labels)
        loss_sum += batch_loss * idx.numel()
        n_correct += batch_correct
        n_seen += idx.numel()
        if scheduler:
            scheduler.step()
    return loss_sum / n_seen, n_correct / n_seen


def train_net_epoch__right_batch_sampler(
    model, x, y, optimizer, batch_size, generator, device, scheduler=None
):
    """torch.utils.data.BatchSampler over the drawn permutation; math.fsum of the losses."""
    from torch.utils.data import BatchSampler

    model.train()
    perm = torch.randperm(len(y), generator=generator).tolist()
    weighted, counts = [], []
    for batch in BatchSampler(perm, batch_size, drop_last=False):
        idx = torch.tensor(batch, dtype=torch.long)
        mean_loss, correct = train_step(
            model,
            optimizer,
            x[idx].to(device, memory_format=torch.channels_last),
            y[idx].to(device),
        )
        weighted.append(mean_loss * len(batch))
        counts.append(correct)
        if scheduler is not None:
            scheduler.step()
    n = len(perm)
    return math.fsum(weighted) / n, float(sum(counts)) / n


def train_net_epoch__right_while_loop(
    model, x, y, optimizer, batch_size, generator, device, scheduler=None
):
    """A while loop with an explicit end index clipped to N."""
    model.train()
    n = int(y.numel())
    order = torch.randperm(n, generator=generator)
    start, summed_loss, summed_correct = 0, 0.0, 0
    while start < n:
        stop = min(start + batch_size, n)
        chosen = order[start:stop]
        xb = x[chosen].to(device=device, memory_format=torch.channels_last)
        yb = y[chosen].to(device=device)
        mean_loss, correct = train_step(model, optimizer, xb, yb)
        summed_loss += mean_loss * (stop - start)
        summed_correct += correct
        if scheduler is not None:
            scheduler.step()
        start = stop
    return summed_loss / n, summed_correct / n


# ------------------------------------------------------------ 6.6 evaluate_net
def evaluate_net__wrong_mean_of_batch_means(model, x, y, device, batch_size=1000):
    """Averages the batches' mean losses: the smaller last batch is over-weighted."""
    model.eval()
    losses, correct = [], 0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb = x[start : start + batch_size].to(device, memory_format=torch.channels_last)
            yb = y[start : start + batch_size].to(device)
            log_probs = model(xb)
            losses.append(F.nll_loss(log_probs, yb).item())
            correct += (log_probs.argmax(1) == yb).sum().item()
    return sum(losses) / len(losses), correct / len(x)


def evaluate_net__wrong_no_eval_mode(model, x, y, device, batch_size=1000):
    """Forgets model.eval(): dropout still drops during the measurement."""
    total, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb = x[start : start + batch_size].to(device, memory_format=torch.channels_last)
            yb = y[start : start + batch_size].to(device)
            log_probs = model(xb)
            total += F.nll_loss(log_probs, yb, reduction="sum").item()
            correct += (log_probs.argmax(1) == yb).sum().item()
    return total / len(x), correct / len(x)


def evaluate_net__wrong_tracks_gradients(model, x, y, device, batch_size=1000):
    """No torch.no_grad(): a graph is built for every batch, though nothing back-propagates."""
    model.eval()
    total, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        xb = x[start : start + batch_size].to(device, memory_format=torch.channels_last)
        yb = y[start : start + batch_size].to(device)
        log_probs = model(xb)
        total += F.nll_loss(log_probs, yb, reduction="sum").item()
        correct += (log_probs.argmax(1) == yb).sum().item()
    return total / len(x), correct / len(x)


def evaluate_net__wrong_returns_tensors(model, x, y, device, batch_size=1000):
    """Accumulates tensors and returns them: not Python numbers."""
    model.eval()
    total, correct = torch.zeros(()), torch.zeros((), dtype=torch.long)
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb = x[start : start + batch_size].to(device, memory_format=torch.channels_last)
            yb = y[start : start + batch_size].to(device)
            log_probs = model(xb)
            total = total + F.nll_loss(log_probs, yb, reduction="sum").cpu()
            correct = correct + (log_probs.argmax(1) == yb).sum().cpu()
    return total / len(x), correct / len(x)


def evaluate_net__wrong_percentage(model, x, y, device, batch_size=1000):
    """The accuracy in per cent, not as a share from 0 to 1."""
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb = x[start : start + batch_size].to(device, memory_format=torch.channels_last)
            yb = y[start : start + batch_size].to(device)
            log_probs = model(xb)
            total += F.nll_loss(log_probs, yb, reduction="sum").item()
            correct += (log_probs.argmax(1) == yb).sum().item()
    return total / len(x), 100.0 * correct / len(x)


def evaluate_net__wrong_drops_last(model, x, y, device, batch_size=1000):
    """range(len(x) // batch_size) batches: the last, partial batch is skipped."""
    model.eval()
    total, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for b in range(len(x) // batch_size):
            xb = x[b * batch_size : (b + 1) * batch_size].to(
                device, memory_format=torch.channels_last
            )
            yb = y[b * batch_size : (b + 1) * batch_size].to(device)
            log_probs = model(xb)
            total += F.nll_loss(log_probs, yb, reduction="sum").item()
            correct += (log_probs.argmax(1) == yb).sum().item()
            seen += len(yb)
    return total / seen, correct / seen


def evaluate_net__wrong_nll_of_prediction(model, x, y, device, batch_size=1000):
    """-max log-probability: the loss of the predicted class, not of the true label."""
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb = x[start : start + batch_size].to(device, memory_format=torch.channels_last)
            yb = y[start : start + batch_size].to(device)
            best, predicted = model(xb).max(dim=1)
            total += -best.sum().item()
            correct += (predicted == yb).sum().item()
    return total / len(x), correct / len(x)


def evaluate_net__wrong_ignores_batch_size(model, x, y, device, batch_size=1000):
    """All the images in one forward pass: batch_size is ignored."""
    model.eval()
    with torch.no_grad():
        log_probs = model(x.to(device, memory_format=torch.channels_last))
        yd = y.to(device)
        loss = F.nll_loss(log_probs, yd, reduction="sum").item()
        correct = (log_probs.argmax(1) == yd).sum().item()
    return loss / len(x), correct / len(x)


def evaluate_net__wrong_delegates(model, x, y, device, batch_size=1000):
    """Calls the saved reference in utils."""
    from utils.saved.lab06_nets import evaluate_net as reference

    return reference(model, x, y, device, batch_size)


def evaluate_net__right_cross_entropy(model, x, y, device, batch_size=1000):
    """F.cross_entropy of log-probabilities (log_softmax leaves them as they are); torch.split."""
    model.eval()
    loss_sum, hits = 0.0, 0
    with torch.no_grad():
        for xb, yb in zip(torch.split(x, batch_size), torch.split(y, batch_size)):
            xb = xb.to(device, memory_format=torch.channels_last)
            yb = yb.to(device)
            out = model(xb)
            loss_sum += float(F.cross_entropy(out, yb, reduction="sum"))
            hits += int(out.argmax(dim=1).eq(yb).sum())
    return loss_sum / len(y), hits / len(y)


def evaluate_net__right_inference_mode_gather(model, x, y, device, batch_size=1000):
    """torch.inference_mode and gather of the true labels' log-probabilities, in float64."""
    model.train(False)
    n = x.shape[0]
    loss_sum = torch.zeros((), dtype=torch.float64)
    hits = 0
    with torch.inference_mode():
        for start in range(0, n, batch_size):
            stop = min(start + batch_size, n)
            xb = x[start:stop].to(device, memory_format=torch.channels_last)
            yb = y[start:stop].to(device)
            log_probs = model(xb)
            picked = log_probs.gather(1, yb.unsqueeze(1)).squeeze(1)
            loss_sum -= picked.double().sum().cpu()
            hits += (log_probs.argmax(1) == yb).count_nonzero().item()
    return loss_sum.item() / n, hits / n


def evaluate_net__right_set_grad_enabled(model, x, y, device, batch_size=1000):
    """torch.set_grad_enabled(False) and fancy indexing of the log-probabilities."""
    model.eval()
    n = len(x)
    losses, hits = [], []
    with torch.set_grad_enabled(False):
        start = 0
        while start < n:
            xb = x[start : start + batch_size].to(device, memory_format=torch.channels_last)
            yb = y[start : start + batch_size].to(device)
            lp = model(xb)
            losses.append(-lp[torch.arange(len(yb), device=lp.device), yb].sum().item())
            hits.append(int((lp.argmax(1) == yb).sum()))
            start += batch_size
    return math.fsum(losses) / n, sum(hits) / n


# ------------------------------------------------------------------ 6.7 conv2d
def conv2d__wrong_flipped_filter(x, w, b, stride=1, padding=0):
    """Flips the filter: a true convolution, not the cross-correlation of deep learning."""
    n, _, h, wd = x.shape
    k = w.shape[-1]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = conv_output_size(h, k, stride, padding)
    wo = conv_output_size(wd, k, stride, padding)
    wf = w[:, :, ::-1, ::-1]
    out = np.empty((n, w.shape[0], ho, wo), dtype=np.result_type(x, w))
    for r in range(ho):
        for c in range(wo):
            window = xp[:, :, r * stride : r * stride + k, c * stride : c * stride + k]
            out[:, :, r, c] = np.tensordot(window, wf, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def conv2d__wrong_no_bias(x, w, b, stride=1, padding=0):
    """Forgets to add the biases."""
    n, _, h, wd = x.shape
    k = w.shape[-1]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = conv_output_size(h, k, stride, padding)
    wo = conv_output_size(wd, k, stride, padding)
    out = np.empty((n, w.shape[0], ho, wo), dtype=np.result_type(x, w))
    for r in range(ho):
        for c in range(wo):
            window = xp[:, :, r * stride : r * stride + k, c * stride : c * stride + k]
            out[:, :, r, c] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
    return out


def conv2d__wrong_pad_after(x, w, b, stride=1, padding=0):
    """Puts all 2 * padding zeros after the image (bottom, right): same size, maps shifted."""
    n, _, h, wd = x.shape
    k = w.shape[-1]
    xp = np.pad(x, ((0, 0), (0, 0), (0, 2 * padding), (0, 2 * padding)))
    ho = conv_output_size(h, k, stride, padding)
    wo = conv_output_size(wd, k, stride, padding)
    out = np.empty((n, w.shape[0], ho, wo), dtype=np.result_type(x, w))
    for r in range(ho):
        for c in range(wo):
            window = xp[:, :, r * stride : r * stride + k, c * stride : c * stride + k]
            out[:, :, r, c] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def conv2d__wrong_window_ignores_stride(x, w, b, stride=1, padding=0):
    """Right output size, but the window starts at (r, c), not (r * stride, c * stride)."""
    n, _, h, wd = x.shape
    k = w.shape[-1]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = conv_output_size(h, k, stride, padding)
    wo = conv_output_size(wd, k, stride, padding)
    out = np.empty((n, w.shape[0], ho, wo), dtype=np.result_type(x, w))
    for r in range(ho):
        for c in range(wo):
            window = xp[:, :, r : r + k, c : c + k]
            out[:, :, r, c] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def conv2d__wrong_square_images(x, w, b, stride=1, padding=0):
    """Computes H' from H and uses it for W' too: wrong when the images are not square."""
    n, _, h, _ = x.shape
    k = w.shape[-1]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    side = conv_output_size(h, k, stride, padding)
    out = np.zeros((n, w.shape[0], side, side), dtype=np.result_type(x, w))
    for r in range(side):
        for c in range(side):
            window = xp[:, :, r * stride : r * stride + k, c * stride : c * stride + k]
            out[:, :, r, c] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def conv2d__wrong_bias_per_channel(x, w, b, stride=1, padding=0):
    """Adds the bias inside the loop over the channels: C times (right only when C = 1)."""
    n, channels, h, wd = x.shape
    k = w.shape[-1]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = conv_output_size(h, k, stride, padding)
    wo = conv_output_size(wd, k, stride, padding)
    out = np.zeros((n, w.shape[0], ho, wo), dtype=np.result_type(x, w))
    for ch in range(channels):
        for r in range(ho):
            for c in range(wo):
                window = xp[:, ch, r * stride : r * stride + k, c * stride : c * stride + k]
                out[:, :, r, c] += np.einsum("nij,fij->nf", window, w[:, ch]) + b
    return out


def conv2d__wrong_transposed_filter(x, w, b, stride=1, padding=0):
    """einsum with the filter's row and column letters swapped: the filter is transposed."""
    n, _, h, wd = x.shape
    k = w.shape[-1]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = conv_output_size(h, k, stride, padding)
    wo = conv_output_size(wd, k, stride, padding)
    out = np.empty((n, w.shape[0], ho, wo), dtype=np.result_type(x, w))
    for r in range(ho):
        for c in range(wo):
            window = xp[:, :, r * stride : r * stride + k, c * stride : c * stride + k]
            out[:, :, r, c] = np.einsum("ncij,fcji->nf", window, w) + b
    return out


def conv2d__wrong_loops_over_images_and_filters(x, w, b, stride=1, padding=0):
    """Right numbers, but loops over every image and filter (the spec forbids it)."""
    n, _, h, wd = x.shape
    n_filters, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = conv_output_size(h, k, stride, padding)
    wo = conv_output_size(wd, k, stride, padding)
    out = np.empty((n, n_filters, ho, wo), dtype=np.result_type(x, w))
    for i in range(n):
        for f in range(n_filters):
            for r in range(ho):
                for c in range(wo):
                    window = xp[i, :, r * stride : r * stride + k, c * stride : c * stride + k]
                    out[i, f, r, c] = np.sum(window * w[f]) + b[f]
    return out


def conv2d__wrong_delegates(x, w, b, stride=1, padding=0):
    """Calls the saved reference in utils."""
    from utils.saved.lab06_nets import conv2d as reference

    return reference(x, w, b, stride, padding)


def conv2d__right_tensordot_positions(x, w, b, stride=1, padding=0):
    """A loop over output positions, one tensordot over (C, k, k) each."""
    n, _, h, wd = x.shape
    k = w.shape[-1]
    xp = np.pad(
        x,
        [(0, 0), (0, 0), (padding, padding), (padding, padding)],
        mode="constant",
        constant_values=0,
    )
    ho = conv_output_size(h, k, stride, padding)
    wo = conv_output_size(wd, k, stride, padding)
    out = np.empty((n, w.shape[0], ho, wo), dtype=np.result_type(x, w, b))
    for r in range(ho):
        top = r * stride
        for c in range(wo):
            left = c * stride
            patch = xp[:, :, top : top + k, left : left + k]
            out[:, :, r, c] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def conv2d__right_sliding_window_einsum(x, w, b, stride=1, padding=0):
    """im2col without loops: sliding_window_view, a strided slice and one einsum."""
    from numpy.lib.stride_tricks import sliding_window_view

    k = w.shape[-1]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(xp, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.einsum("ncrsij,fcij->nfrs", windows, w)
    return out + b[None, :, None, None]


def conv2d__right_kernel_offsets(x, w, b, stride=1, padding=0):
    """A loop over the k x k filter offsets: each adds a shifted strided slice times a weight."""
    n, _, h, wd = x.shape
    n_filters, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = conv_output_size(h, k, stride, padding)
    wo = conv_output_size(wd, k, stride, padding)
    out = np.broadcast_to(b.reshape(1, n_filters, 1, 1), (n, n_filters, ho, wo)).astype(
        np.result_type(x, w, b)
    )
    for dy in range(k):
        for dx in range(k):
            shifted = xp[
                :,
                :,
                dy : dy + stride * (ho - 1) + 1 : stride,
                dx : dx + stride * (wo - 1) + 1 : stride,
            ]
            out += np.einsum("nchw,fc->nfhw", shifted, w[:, :, dy, dx])
    return out


# -------------------------------------------------------------- 6.8 max_pool2d
def max_pool2d__wrong_default_stride_one(x, size=2, stride=None):
    """stride=None taken as 1: overlapping windows by default."""
    stride = stride or 1
    n, c, h, w = x.shape
    ho = conv_output_size(h, size, stride)
    wo = conv_output_size(w, size, stride)
    out = np.empty((n, c, ho, wo), dtype=x.dtype)
    for r in range(ho):
        for col in range(wo):
            out[:, :, r, col] = x[
                :, :, r * stride : r * stride + size, col * stride : col * stride + size
            ].max(axis=(2, 3))
    return out


def max_pool2d__wrong_zero_start(x, size=2, stride=None):
    """Starts the running maximum at 0: a window of negative values gives 0."""
    stride = size if stride is None else stride
    n, c, h, w = x.shape
    ho = conv_output_size(h, size, stride)
    wo = conv_output_size(w, size, stride)
    out = np.zeros((n, c, ho, wo), dtype=x.dtype)
    for dy in range(size):
        for dx in range(size):
            out = np.maximum(
                out,
                x[
                    :,
                    :,
                    dy : dy + stride * (ho - 1) + 1 : stride,
                    dx : dx + stride * (wo - 1) + 1 : stride,
                ],
            )
    return out


def max_pool2d__wrong_ceil_mode(x, size=2, stride=None):
    """Keeps the windows that stick out of the map (ceil), pooling what is inside."""
    stride = size if stride is None else stride
    n, c, h, w = x.shape
    ho = math.ceil((h - size) / stride) + 1
    wo = math.ceil((w - size) / stride) + 1
    out = np.empty((n, c, ho, wo), dtype=x.dtype)
    for r in range(ho):
        for col in range(wo):
            out[:, :, r, col] = x[
                :, :, r * stride : r * stride + size, col * stride : col * stride + size
            ].max(axis=(2, 3))
    return out


def max_pool2d__wrong_reshape_ignores_stride(x, size=2, stride=None):
    """The reshape trick: right for stride = size only, whatever stride is given."""
    n, c, h, w = x.shape
    ho, wo = h // size, w // size
    blocks = x[:, :, : ho * size, : wo * size].reshape(n, c, ho, size, wo, size)
    return blocks.max(axis=(3, 5))


def max_pool2d__wrong_reshape_axes(x, size=2, stride=None):
    """Reshapes to (N, C, H', W', size, size): the blocks are not the windows."""
    stride = size if stride is None else stride
    n, c, h, w = x.shape
    ho, wo = h // size, w // size
    blocks = x[:, :, : ho * size, : wo * size].reshape(n, c, ho, wo, size, size)
    return blocks.max(axis=(4, 5))


def max_pool2d__wrong_square_maps(x, size=2, stride=None):
    """Uses H' for both sides: wrong when the maps are not square."""
    stride = size if stride is None else stride
    n, c, h, _ = x.shape
    side = conv_output_size(h, size, stride)
    out = np.empty((n, c, side, side), dtype=x.dtype)
    for r in range(side):
        for col in range(side):
            out[:, :, r, col] = x[
                :, :, r * stride : r * stride + size, col * stride : col * stride + size
            ].max(axis=(2, 3))
    return out


def max_pool2d__wrong_relu_inside(x, size=2, stride=None):
    """Clips negatives to 0 in place first (the lab's ReLU folded in): x is changed too."""
    stride = size if stride is None else stride
    x[x < 0] = 0
    n, c, h, w = x.shape
    ho = conv_output_size(h, size, stride)
    wo = conv_output_size(w, size, stride)
    out = np.empty((n, c, ho, wo), dtype=x.dtype)
    for r in range(ho):
        for col in range(wo):
            out[:, :, r, col] = x[
                :, :, r * stride : r * stride + size, col * stride : col * stride + size
            ].max(axis=(2, 3))
    return out


def max_pool2d__wrong_delegates(x, size=2, stride=None):
    """Calls the saved reference in utils."""
    from utils.saved.lab06_nets import max_pool2d as reference

    return reference(x, size, stride)


def max_pool2d__right_positions(x, size=2, stride=None):
    """A loop over the output positions, max over the two window axes."""
    if stride is None:
        stride = size
    n, c, h, w = x.shape
    ho = conv_output_size(h, size, stride)
    wo = conv_output_size(w, size, stride)
    out = np.empty((n, c, ho, wo), dtype=x.dtype)
    for r in range(ho):
        for col in range(wo):
            out[:, :, r, col] = np.amax(
                x[:, :, r * stride : r * stride + size, col * stride : col * stride + size],
                axis=(-2, -1),
            )
    return out


def max_pool2d__right_sliding_window(x, size=2, stride=None):
    """sliding_window_view over (H, W), every stride-th window, max over the window axes."""
    from numpy.lib.stride_tricks import sliding_window_view

    step = size if stride is None else stride
    windows = sliding_window_view(x, (size, size), axis=(2, 3))
    return windows[:, :, ::step, ::step].max(axis=(-2, -1))


def max_pool2d__right_offsets(x, size=2, stride=None):
    """np.maximum over the size x size window offsets, starting from the first offset."""
    stride = size if stride is None else stride
    ho = conv_output_size(x.shape[2], size, stride)
    wo = conv_output_size(x.shape[3], size, stride)
    out = None
    for dy in range(size):
        for dx in range(size):
            part = x[
                :,
                :,
                dy : dy + stride * (ho - 1) + 1 : stride,
                dx : dx + stride * (wo - 1) + 1 : stride,
            ]
            out = part.copy() if out is None else np.maximum(out, part)
    return out


# --------------------------------------------------------------- 6.9 mnist_box
def _as_ink(ink):
    """The input checks written in the notebook, kept in every answer."""
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2:
        raise ValueError(
            f"mnist_box needs a 2-D image (rows, columns), got an array of shape {ink.shape}."
        )
    if not (ink > 0).any():
        raise ValueError(
            "mnist_box found no ink: no pixel is above 0. "
            "Pass the ink (bright) on a background of 0."
        )
    return ink


def _crop(ink):
    rows, cols = np.nonzero(ink > 0)
    return ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def _paste(small, height, width, dtype=np.float32):
    canvas = np.zeros((28, 28), dtype=dtype)
    top, left = (28 - height) // 2, (28 - width) // 2
    canvas[top : top + height, left : left + width] = np.clip(np.asarray(small), 0, None)
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
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.NEAREST)
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
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.LANCZOS)
    return _paste(small, height, width)


def mnist_box__wrong_shift_reversed(ink):
    """Shifts by (cy - 14, cx - 14): away from the centre."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.LANCZOS)
    canvas = _paste(small, height, width)
    cy, cx = ndimage.center_of_mass(canvas)
    return ndimage.shift(canvas, (cy - 14, cx - 14), order=1)


def mnist_box__wrong_rescaled_values(ink):
    """Divides by the maximum to get [0, 1]: the spec says not to rescale."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.LANCZOS)
    canvas = _centre(_paste(small, height, width))
    return canvas / canvas.max()


def mnist_box__wrong_size_order(ink):
    """Passes (height, width) to PIL, which expects (width, height)."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((height, width), Image.LANCZOS)
    small = np.asarray(small)
    return _centre(_paste(small, *small.shape))


def mnist_box__wrong_no_clip(ink):
    """Keeps Lanczos's negative ringing."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.LANCZOS)
    canvas = np.zeros((28, 28), dtype=np.float32)
    top, left = (28 - height) // 2, (28 - width) // 2
    canvas[top : top + height, left : left + width] = np.asarray(small)
    return _centre(canvas)


def mnist_box__wrong_crop_off_by_one(ink):
    """rows.max() as an exclusive end: the last ink row and column are cut off."""
    ink = _as_ink(ink)
    rows, cols = np.nonzero(ink > 0)
    crop = ink[rows.min() : rows.max(), cols.min() : cols.max()]
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.LANCZOS)
    return _centre(_paste(small, height, width))


def mnist_box__wrong_float64(ink):
    """np.zeros((28, 28)) in float64: the image comes back as float64."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.LANCZOS)
    return _centre(_paste(small, height, width, dtype=np.float64))


def mnist_box__wrong_centre_13_5(ink):
    """Moves the centre of mass to the geometric centre (13.5, 13.5), not (14, 14)."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.LANCZOS)
    canvas = _paste(small, height, width)
    cy, cx = ndimage.center_of_mass(canvas)
    return ndimage.shift(canvas, (13.5 - cy, 13.5 - cx), order=1)


def mnist_box__wrong_truncated_size(ink):
    """int() truncates the sizes: the long side can come out 19 px."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, int(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.LANCZOS)
    return _centre(_paste(small, height, width))


def mnist_box__wrong_thin_stroke_crash(ink):
    """No max(1, ...): a long thin stroke rounds to 0 px and PIL fails."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (round(n * scale) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.LANCZOS)
    return _centre(_paste(small, height, width))


def mnist_box__wrong_scaled_by_shorter_side(ink):
    """Scales the shorter side to 20 px: the longer one no longer fits."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / min(crop.shape)
    height, width = (min(28, max(1, round(n * scale))) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.LANCZOS)
    return _centre(_paste(small, height, width))


def mnist_box__wrong_whole_pixel_roll(ink):
    """Moves the centre of mass with np.roll by whole pixels: no sub-pixel shift."""
    ink = _as_ink(ink)
    crop = _crop(ink)
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.LANCZOS)
    canvas = _paste(small, height, width)
    cy, cx = ndimage.center_of_mass(canvas)
    return np.roll(canvas, (round(14 - cy), round(14 - cx)), axis=(0, 1))


def mnist_box__wrong_delegates(ink):
    """Calls the saved reference in utils."""
    from utils.saved.lab06_photo import mnist_box as reference

    return reference(ink)


def mnist_box__right_any_crop_manual_com(ink):
    """Crop from np.any over rows and columns; centre of mass by np.indices."""
    ink = _as_ink(ink)
    mask = ink > 0
    r = np.flatnonzero(mask.any(axis=1))
    c = np.flatnonzero(mask.any(axis=0))
    crop = np.ascontiguousarray(ink[r[0] : r[-1] + 1, c[0] : c[-1] + 1])
    h0, w0 = crop.shape
    longer = max(h0, w0)
    height = max(1, round(h0 * 20 / longer))
    width = max(1, round(w0 * 20 / longer))
    small = np.asarray(Image.fromarray(crop).resize((width, height), Image.Resampling.LANCZOS))
    canvas = np.zeros((28, 28), np.float32)
    top = 14 - (height + 1) // 2
    left = 14 - (width + 1) // 2
    canvas[top : top + height, left : left + width] = np.maximum(small, 0)
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
    canvas[y0 : y0 + new_h, x0 : x0 + new_w] = resized
    centre = np.array(ndimage.center_of_mass(canvas))
    return ndimage.shift(canvas, np.array([14.0, 14.0]) - centre, order=1)


ANSWERS = {
    "6.1": {
        "wrong": [
            conv_output_size__wrong_no_plus_one,
            conv_output_size__wrong_padding_once,
            conv_output_size__wrong_true_division,
            conv_output_size__wrong_ceil,
            conv_output_size__wrong_ignores_stride,
            conv_output_size__wrong_plus_one_inside,
            conv_output_size__wrong_delegates,
        ],
        "right": [
            conv_output_size__right_floor,
            conv_output_size__right_shifted_numerator,
            conv_output_size__right_named_steps,
        ],
    },
    "6.2": {
        "wrong": [
            conv_param_count__wrong_no_bias,
            conv_param_count__wrong_single_bias,
            conv_param_count__wrong_bias_per_input,
            conv_param_count__wrong_kernel_not_squared,
            conv_param_count__wrong_forgets_input_channels,
            conv_param_count__wrong_bias_count_from_inputs,
            conv_param_count__wrong_delegates,
        ],
        "right": [conv_param_count__right_expanded, conv_param_count__right_count_module],
    },
    "6.3": {
        "wrong": [
            DigitNet__wrong_fixed_width,
            DigitNet__wrong_dropout_always_on,
            DigitNet__wrong_elementwise_map_dropout,
            DigitNet__wrong_returns_logits,
            DigitNet__wrong_softmax_not_log,
            DigitNet__wrong_log_softmax_dim0,
            DigitNet__wrong_no_relu_on_embedding,
            DigitNet__wrong_dropout_inside_embed,
            DigitNet__wrong_layer_names,
            DigitNet__wrong_dropout_as_module,
            DigitNet__wrong_fc1_inputs,
            DigitNet__wrong_second_pool_missing,
            DigitNet__wrong_fixed_rate,
            DigitNet__wrong_delegates,
        ],
        "right": [
            DigitNet__right_relu_before_pool,
            DigitNet__right_sizes_computed,
            DigitNet__right_drop_after_pool,
        ],
    },
    "6.4": {
        "wrong": [
            train_step__wrong_no_zero_grad,
            train_step__wrong_zero_grad_before_step,
            train_step__wrong_loss_tensor,
            train_step__wrong_accuracy_not_count,
            train_step__wrong_float_count,
            train_step__wrong_sets_train_mode,
            train_step__wrong_summed_loss,
            train_step__wrong_loss_after_update,
            train_step__wrong_delegates,
        ],
        "right": [train_step__right_cross_entropy_on_log_probs, train_step__right_keep_zeros],
    },
    "6.5": {
        "wrong": [
            train_net_epoch__wrong_mean_of_batch_means,
            train_net_epoch__wrong_accuracy_mean_of_batches,
            train_net_epoch__wrong_drops_last,
            train_net_epoch__wrong_global_rng,
            train_net_epoch__wrong_redraws_per_batch,
            train_net_epoch__wrong_no_train_mode,
            train_net_epoch__wrong_scheduler_per_epoch,
            train_net_epoch__wrong_no_channels_last,
            train_net_epoch__wrong_delegates,
        ],
        "right": [
            train_net_epoch__right_split,
            train_net_epoch__right_batch_sampler,
            train_net_epoch__right_while_loop,
        ],
    },
    "6.6": {
        "wrong": [
            evaluate_net__wrong_mean_of_batch_means,
            evaluate_net__wrong_no_eval_mode,
            evaluate_net__wrong_tracks_gradients,
            evaluate_net__wrong_returns_tensors,
            evaluate_net__wrong_percentage,
            evaluate_net__wrong_drops_last,
            evaluate_net__wrong_nll_of_prediction,
            evaluate_net__wrong_ignores_batch_size,
            evaluate_net__wrong_delegates,
        ],
        "right": [
            evaluate_net__right_cross_entropy,
            evaluate_net__right_inference_mode_gather,
            evaluate_net__right_set_grad_enabled,
        ],
    },
    "6.7": {
        "wrong": [
            conv2d__wrong_flipped_filter,
            conv2d__wrong_no_bias,
            conv2d__wrong_pad_after,
            conv2d__wrong_window_ignores_stride,
            conv2d__wrong_square_images,
            conv2d__wrong_bias_per_channel,
            conv2d__wrong_transposed_filter,
            conv2d__wrong_loops_over_images_and_filters,
            conv2d__wrong_delegates,
        ],
        "right": [
            conv2d__right_tensordot_positions,
            conv2d__right_sliding_window_einsum,
            conv2d__right_kernel_offsets,
        ],
    },
    "6.8": {
        "wrong": [
            max_pool2d__wrong_default_stride_one,
            max_pool2d__wrong_zero_start,
            max_pool2d__wrong_ceil_mode,
            max_pool2d__wrong_reshape_ignores_stride,
            max_pool2d__wrong_reshape_axes,
            max_pool2d__wrong_square_maps,
            max_pool2d__wrong_relu_inside,
            max_pool2d__wrong_delegates,
        ],
        "right": [
            max_pool2d__right_positions,
            max_pool2d__right_sliding_window,
            max_pool2d__right_offsets,
        ],
    },
    "6.9": {
        "wrong": [
            mnist_box__wrong_nearest_resize,
            mnist_box__wrong_square_resize,
            mnist_box__wrong_no_centre_of_mass,
            mnist_box__wrong_shift_reversed,
            mnist_box__wrong_rescaled_values,
            mnist_box__wrong_size_order,
            mnist_box__wrong_no_clip,
            mnist_box__wrong_crop_off_by_one,
            mnist_box__wrong_float64,
            mnist_box__wrong_centre_13_5,
            mnist_box__wrong_truncated_size,
            mnist_box__wrong_thin_stroke_crash,
            mnist_box__wrong_scaled_by_shorter_side,
            mnist_box__wrong_whole_pixel_roll,
            mnist_box__wrong_delegates,
        ],
        "right": [mnist_box__right_any_crop_manual_com, mnist_box__right_pil_image_steps],
    },
}
