"""Course helpers: numpy RNN, GRU and LSTM cells with exact backpropagation through time."""
