"""The data and toy tasks the notebooks train on: text and vocabularies, the name tagger, the kinds-of-RNN
tasks, the memory and look-ahead tasks, the character/word language model with sampling from it, and the
capstone's sweep. They use the numeric core (``helpers.rnn``, ``helpers.training``, ...) and never draw."""
