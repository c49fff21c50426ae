"""Course helpers: numpy RNN, GRU and LSTM cells with exact backpropagation through time.

Import what you need from its module, e.g. ``from helpers.rnn import rnn_forward, rnn_backward``.
Each module holds one concept and states its equations in its docstring; CONTRIBUTING.md lists them.
The numeric core (rnn, gru, lstm, cells, bidirectional, deep, losses, optim, gradcheck,
gradient_flow, training) needs only numpy; the plotting and explorer modules also use matplotlib and
ipywidgets.
"""
__version__ = "0.1.0"
