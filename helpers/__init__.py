"""Course helpers: numpy RNN, GRU and LSTM cells with exact backpropagation through time.

Import what you need from its module, e.g. ``from helpers.rnn import rnn_forward, rnn_backward``.
Each module holds one concept and states its equations in its docstring; CONTRIBUTING.md lists them.
The package is laid out by layer:

- the numeric core, here (rnn, gru, lstm, cells, bidirectional, deep, losses, optim, gradcheck,
  gradient_flow, training, networks, exercise_checks): numpy only;
- ``helpers.tasks``: data and toy tasks (text, ner, toy_tasks, memory_task, lookahead_task,
  language_model, sampling, capstone), built on the core;
- ``helpers.views``: the explorers and plots the notebooks show (matplotlib, ipywidgets);
- ``helpers._render``: the machinery behind the explorers' fast redraw, fenced off, with an off switch.
"""
__version__ = "0.1.0"
