"""Bad input to every public function of the numeric core and the task modules: always a clear error.

One table: for each function, a call that is valid (``good``) and, for each argument, the kind of value
it takes. Each kind brings its bad values, one category each (CONTRIBUTING, "Bad input"):

- arrays: a wrong number of dimensions, NaN, inf, complex numbers, None, a str; sequences also an
  empty time axis (T_x = 0) and a size that does not match the other arguments;
- parameter dicts: a missing key (KeyError), NaN, complex, None, a str;
- sizes: negative, zero, huge (10**12: refused before anything is allocated), None, a str, a fraction;
- labels: out of range, fractional, str, the wrong number of rows;
- objects (a model, a corpus, a vocabulary, a task): None, a str;
- choices: an unknown name, None; real numbers: NaN, inf, None, a str.

Every case must raise the expected exception (ValueError; KeyError for a missing key) with a message that
names the function and the argument. The expected outcome does not come from the code: it is the rule of
CONTRIBUTING, applied to each argument by its documented meaning.
"""
import inspect
import math

import numpy as np
import pytest

from helpers import activations, bidirectional, deep, gradcheck, gradient_flow, gru, losses, lstm, optim, rnn, training
from helpers.tasks import (capstone, language_model as lm_mod, lookahead_task, memory_task, ner, sampling, text,
                           toy_tasks)
from helpers.cells import get_cell
from helpers.views import capstone_views, language_model_views, sampling_explorer

RNG = np.random.default_rng(0)
N_X, N_A, N_Y, M, T = 3, 4, 2, 5, 6


def normal(*shape):
    return RNG.normal(0.0, 0.5, shape)


# ----------------------------------------------------------------------------------------------
# valid inputs the table starts from
# ----------------------------------------------------------------------------------------------

X = normal(N_X, M, T)
XT = normal(N_X, M)
A0 = normal(N_A, M)
RNN_P = rnn.initialize_rnn_parameters(N_X, N_A, N_Y, seed=0)
GRU_P = gru.initialize_gru_parameters(N_X, N_A, N_Y, seed=0)
LSTM_P = lstm.initialize_lstm_parameters(N_X, N_A, N_Y, seed=0)
RNN_CELL_CACHE = rnn.rnn_cell_forward(XT, A0, RNN_P)[2]
RNN_CACHES = rnn.rnn_forward(X, A0, RNN_P)[2]
GRU_CELL_CACHE = gru.gru_cell_forward(XT, A0, GRU_P)[2]
GRU_CACHES = gru.gru_forward(X, A0, GRU_P)[2]
LSTM_CELL_CACHE = lstm.lstm_cell_forward(XT, A0, A0, LSTM_P)[3]
LSTM_CACHES = lstm.lstm_forward(X, A0, LSTM_P)[3]
DA = normal(N_A, M, T)
DA_T = normal(N_A, M)
CELL_P = get_cell("rnn").init(N_X, N_A)
MODEL = training.init_model("rnn", N_X, N_A, N_Y)
Y_EVERY = RNG.integers(0, N_Y, (M, T))
Y_LAST = RNG.integers(0, N_Y, M)
Z = normal(N_Y, M, T)
BRNN_P = bidirectional.initialize_brnn_parameters(N_X, N_A, N_Y)
UNI_P = bidirectional.initialize_unidirectional_parameters(N_X, N_A, N_Y)
BRNN_CACHES = bidirectional.brnn_forward(X, BRNN_P)[-1]
UNI_CACHES = bidirectional.uni_forward(X, UNI_P)[-1]
DEEP_P = deep.initialize_deep_parameters(N_X, N_A, N_Y, 2)
DEEP_CACHES = deep.deep_rnn_forward(X, DEEP_P)[-1]
GRADS = {"dWaa": normal(N_A, N_A), "dba": normal(N_A, 1)}
TOKENS = [["a", "b", "a"], ["b", "c"], ["c"]]
VOCAB = lm_mod.build_vocabulary(TOKENS)
LM = lm_mod.new_language_model(VOCAB, "char", n_a=N_A)
CORPUS = lm_mod.encode_corpus(TOKENS, VOCAB)
BATCH = lm_mod.make_batch(CORPUS, [0, 1], LM.V)
PLAIN_VOCAB = text.Vocabulary(["a", "b", "c"], pad=True)
NER_VOCAB = ner.build_vocabulary()
NER_SENTENCES, NER_TAGS = ner.make_name_tagging_data(4)
NER_MODEL = ner.as_binary_tagger(training.init_model("rnn", len(NER_VOCAB), 1, 2))
NER_X, NER_Y, NER_MASK = ner.encode_tagging(NER_SENTENCES, NER_TAGS, NER_VOCAB)
NUM_VOCAB = toy_tasks.number_vocabulary()
NUM_BATCH = toy_tasks.encode_numbers([3, 14, 27], NUM_VOCAB)
ED = toy_tasks.init_encoder_decoder(NUM_BATCH["x"].shape[0], N_A)
TASK = memory_task.make_memory_task(8, 2)
LOOK = lookahead_task.make_lookahead_data(4)
SWEEP = capstone.load_results()
CAP_MODEL = training.init_model("lstm", TASK.n_x, N_A, 2)

# ----------------------------------------------------------------------------------------------
# the bad values of each kind of argument
# ----------------------------------------------------------------------------------------------

V, K = ValueError, KeyError
WRONG_TYPES = [("None", None, V), ("str", "abc", V)]


def _with(arr, index, value):
    out = np.array(arr, dtype=np.result_type(arr, type(value)))
    out[index] = value
    return out


def elementwise_cases(good):
    """An element-wise function takes any shape; NaN and inf pass through as numpy's functions do."""
    return [("complex", good + 1j, V)] + WRONG_TYPES


def array_cases(good, time_axis=False, mismatch=True, axis=0):
    first = (0,) * good.ndim
    cases = [("wrong ndim", good[..., None], V), ("NaN", _with(good, first, np.nan), V),
             ("inf", _with(good, first, np.inf), V), ("complex", good + 1j, V)] + WRONG_TYPES
    if time_axis:
        cases.append(("T_x = 0", good[..., :0], V))
    if mismatch:
        extra = np.take(good, [0], axis=axis)
        cases.append(("shape mismatch", np.concatenate([good, extra], axis=axis), V))
    return cases


def grads_cases(good):
    """A dict of arrays whose keys are free (gradients to clip): each array must be real and finite."""
    return [case for case in params_cases(good) if case[0] != "missing key"]


def anyshape_cases(good):
    return [case for case in array_cases(good, mismatch=False) if case[0] != "wrong ndim"]


def text_cases(good):
    return [("None", None, V), ("int", 3, V), ("list of int", [1, 2], V)]


def params_cases(good):
    key = next(k for k, v in good.items() if isinstance(v, np.ndarray))
    missing = {k: v for k, v in good.items() if k != key}
    return [("missing key", missing, K), ("NaN", {**good, key: _with(good[key], (0,) * good[key].ndim, np.nan)}, V),
            ("complex", {**good, key: good[key] + 1j}, V)] + WRONG_TYPES


def size_cases(good, minimum=1):
    cases = [("negative", -1, V), ("huge", 10**12, V), ("fraction", 2.5, V)] + WRONG_TYPES
    if minimum >= 1:
        cases.append(("zero", 0, V))
    return cases


def label_cases(good, n_classes):
    good = np.asarray(good)
    return [("out of range", np.full(good.shape, n_classes), V), ("negative", np.full(good.shape, -1), V),
            ("fractional", good + 0.5, V), ("str", good.astype(str), V), ("None", None, V),
            ("rows mismatch", good[:-1], V)]


def object_cases(good):
    return list(WRONG_TYPES)


def choice_cases(good):
    return [("unknown name", "no-such-choice", V), ("None", None, V)]


def real_cases(good):
    return [("NaN", math.nan, V), ("inf", math.inf, V), ("None", None, V), ("str", "1.0", V)]


def seed_cases(good):
    return [("negative", -1, V), ("fraction", 2.5, V), ("str", "abc", V)]


def dict_cases(good):
    return [("None", None, V), ("str", "abc", V), ("list", [1, 2], V)]


KINDS = {"elementwise": elementwise_cases, "array": array_cases, "grads": grads_cases,
         "anyshape": anyshape_cases, "text": text_cases, "seq_m": lambda g: array_cases(g, time_axis=True, axis=1), "seq": lambda g: array_cases(g, time_axis=True),
         "loose": lambda g: array_cases(g, mismatch=False), "params": params_cases, "size": size_cases,
         "size0": lambda g: size_cases(g, minimum=0), "object": object_cases, "choice": choice_cases,
         "real": real_cases, "dict": dict_cases, "seed": seed_cases}


def entry(fn, good, name=None, **kinds):
    """A row of the table: ``fn(**good)`` is a valid call; ``kinds`` says which kind each argument is.
    A kind is a name of KINDS, or ("labels", n_classes); a "?" after it: None is a valid value too.
    ``name`` is the name the messages start with."""
    return fn, good, name or fn.__name__, kinds


TABLE = [
    # activations
    entry(activations.sigmoid, dict(z=Z), z="elementwise"),
    entry(activations.softmax, dict(z=Z), z="elementwise"),
    entry(activations.tanh, dict(z=Z), z="elementwise"),
    entry(activations.relu, dict(z=Z), z="elementwise"),
    entry(activations.linear, dict(z=Z), z="elementwise"),
    # rnn
    entry(rnn.rnn_cell_forward, dict(xt=XT, a_prev=A0, parameters=RNN_P), xt="array", a_prev="array",
          parameters="params", activation="choice"),
    entry(rnn.rnn_cell_backward, dict(da_next=DA_T, cache=RNN_CELL_CACHE), da_next="array", cache="object"),
    entry(rnn.rnn_forward, dict(x=X, a0=A0, parameters=RNN_P), x="seq", a0="array", parameters="params",
          activation="choice"),
    entry(rnn.rnn_states_forward, dict(x=X, a0=A0, parameters=RNN_P), x="seq", a0="array", parameters="params"),
    entry(rnn.rnn_backward, dict(da=DA, caches=RNN_CACHES), da="seq", caches="object"),
    entry(rnn.stack_Wa, dict(Waa=RNN_P["Waa"], Wax=RNN_P["Wax"]), Waa="array", Wax="array"),
    entry(rnn.split_Wa, dict(Wa=rnn.stack_Wa(RNN_P["Waa"], RNN_P["Wax"]), n_a=N_A), Wa="loose", n_a="size"),
    entry(rnn.rnn_cell_forward_stacked, dict(xt=XT, a_prev=A0, Wa=rnn.stack_Wa(RNN_P["Waa"], RNN_P["Wax"]),
                                             ba=RNN_P["ba"]), xt="array", a_prev="array", Wa="array", ba="array"),
    entry(rnn.initialize_rnn_parameters, dict(n_x=N_X, n_a=N_A, n_y=N_Y), n_x="size", n_a="size", n_y="size",
          seed="seed"),
    # gru
    entry(gru.gru_cell_forward, dict(xt=XT, c_prev=A0, parameters=GRU_P), xt="array", c_prev="array",
          parameters="params"),
    entry(gru.gru_cell_backward, dict(dc_next=DA_T, cache=GRU_CELL_CACHE), dc_next="array", cache="object"),
    entry(gru.gru_forward, dict(x=X, c0=A0, parameters=GRU_P), x="seq", c0="array", parameters="params"),
    entry(gru.gru_states_forward, dict(x=X, c0=A0, parameters=GRU_P), x="seq", c0="array", parameters="params"),
    entry(gru.gru_backward, dict(dc=DA, caches=GRU_CACHES), dc="seq", caches="object"),
    entry(gru.gru_gates, dict(caches=GRU_CACHES), caches="object"),
    entry(gru.initialize_gru_parameters, dict(n_x=N_X, n_a=N_A, n_y=N_Y), n_x="size", n_a="size", n_y="size",
          seed="seed"),
    # lstm
    entry(lstm.lstm_cell_forward, dict(xt=XT, a_prev=A0, c_prev=A0, parameters=LSTM_P), xt="array",
          a_prev="array", c_prev="array", parameters="params"),
    entry(lstm.lstm_cell_backward, dict(da_next=DA_T, dc_next=DA_T, cache=LSTM_CELL_CACHE), da_next="array",
          dc_next="array", cache="object"),
    entry(lstm.lstm_forward, dict(x=X, a0=A0, parameters=LSTM_P, c0=A0), x="seq", a0="array", parameters="params",
          c0="array"),
    entry(lstm.lstm_states_forward, dict(x=X, a0=A0, parameters=LSTM_P), x="seq", a0="array",
          parameters="params"),
    entry(lstm.lstm_backward, dict(da=DA, caches=LSTM_CACHES, dc=DA), da="seq", caches="object", dc="seq"),
    entry(lstm.lstm_gates, dict(caches=LSTM_CACHES), caches="object"),
    entry(lstm.initialize_lstm_parameters, dict(n_x=N_X, n_a=N_A, n_y=N_Y), n_x="size", n_a="size",
          n_y="size", seed="seed", forget_bias="real"),
    # cells: the layer interface names its own arguments (h0, dh, cache), not the cell functions' ones
    entry(get_cell("gru").forward, dict(x=X, h0=A0, parameters=get_cell("gru").init(N_X, N_A)),
          "Cell('gru').forward", x="seq", h0="array", parameters="params"),
    entry(get_cell("lstm").forward, dict(x=X, h0=A0, parameters=get_cell("lstm").init(N_X, N_A)),
          "Cell('lstm').forward", x="seq", h0="array", parameters="params"),
    entry(get_cell("rnn").forward, dict(x=X, h0=A0, parameters=CELL_P), "Cell('rnn').forward", x="seq",
          h0="array", parameters="params"),
    entry(get_cell("rnn").backward, dict(dh=DA, cache=get_cell("rnn").forward(X, A0, CELL_P)[1]),
          "Cell('rnn').backward", dh="seq", cache="object"),
    entry(get_cell("rnn").init, dict(n_x=N_X, n_a=N_A), "initialize_rnn_parameters", n_x="size", n_a="size"),
    entry(get_cell, dict(kind="rnn"), kind="choice"),
    # bidirectional
    entry(bidirectional.initialize_brnn_parameters, dict(n_x=N_X, n_a=N_A, n_y=N_Y), n_x="size", n_a="size",
          n_y="size", cell="choice", seed="seed"),
    entry(bidirectional.initialize_unidirectional_parameters, dict(n_x=N_X, n_a=N_A, n_y=N_Y), n_x="size",
          n_a="size", n_y="size", cell="choice"),
    entry(bidirectional.brnn_forward, dict(x=X, parameters=BRNN_P, h0_forward=A0, h0_backward=A0), x="seq", parameters="dict", cell="choice",
          h0_forward="array", h0_backward="array", output="choice"),
    entry(bidirectional.brnn_backward, dict(dz=Z, caches=BRNN_CACHES), dz="seq", caches="object"),
    entry(bidirectional.uni_forward, dict(x=X, parameters=UNI_P, h0_forward=A0), x="seq", parameters="dict", cell="choice",
          h0_forward="array", output="choice"),
    entry(bidirectional.uni_backward, dict(dz=Z, caches=UNI_CACHES), dz="seq", caches="object"),
    entry(bidirectional.input_influence, dict(x=X[:, :1], parameters=BRNN_P, t=2), x="seq", parameters="dict",
          t="size0", cell="choice"),
    # deep
    entry(deep.initialize_deep_parameters, dict(n_x=N_X, n_a=N_A, n_y=N_Y, n_layers=2), n_x="size",
          n_a="size", n_y="size", n_layers="size", cell="choice", seed="seed"),
    entry(deep.deep_rnn_forward, dict(x=X, parameters=DEEP_P), x="seq", parameters="dict", cell="choice",
          output="choice"),
    entry(deep.deep_rnn_backward, dict(dz=Z, caches=DEEP_CACHES), dz="seq", caches="object"),
    entry(deep.count_parameters, dict(parameters=DEEP_P), parameters="object"),
    entry(deep.flatten_parameters, dict(nested=DEEP_P), nested="dict"),
    entry(deep.unflatten_parameters, dict(flat=deep.flatten_parameters(DEEP_P), like=DEEP_P), flat="dict",
          like="dict"),
    # losses
    entry(losses.sigmoid_cross_entropy, dict(z=Z[:1], y=(Z[:1] > 0).astype(float), mask=np.ones((M, T))), z="seq_m", y="seq_m",
          reduction="choice", mask="array"),
    entry(losses.binary_cross_entropy, dict(y_hat=activations.sigmoid(Z[:1]), y=(Z[:1] > 0).astype(float)),
          y_hat="seq_m", y="seq_m", reduction="choice", eps="real"),
    entry(losses.softmax_cross_entropy, dict(z=Z, y=Y_EVERY, mask=np.ones((M, T))), z="seq_m", y=("labels", N_Y), reduction="choice",
          mask="array"),
    entry(losses.output_layer_forward, dict(a=DA, Wy=MODEL["Wy"], by=MODEL["by"]), a="seq", Wy="array",
          by="array", kind="choice"),
    entry(losses.output_layer_backward, dict(dz=Z, a=DA, Wy=MODEL["Wy"]), dz="seq", a="seq", Wy="array"),
    # optim
    entry(optim.clip_by_value, dict(gradients=GRADS, max_value=1.0), gradients="grads", max_value="real"),
    entry(optim.global_norm, dict(gradients=GRADS), gradients="grads"),
    entry(optim.clip_by_global_norm, dict(gradients=GRADS, max_norm=1.0), gradients="grads", max_norm="real"),
    entry(optim.SGD, dict(learning_rate=0.1), learning_rate="real"),
    entry(optim.Adagrad, dict(learning_rate=0.1), learning_rate="real", eps="real"),
    entry(optim.Adam, dict(learning_rate=0.1), "Adam", learning_rate="real", beta1="real", beta2="real",
          eps="real"),
    entry(optim.SGD(0.1).step, dict(parameters={"Waa": RNN_P["Waa"]}, gradients={"dWaa": GRADS["dWaa"]}),
          "SGD.step", parameters="grads", gradients="params"),
    # gradcheck
    entry(gradcheck.relative_error, dict(analytic=Z, numeric=Z), analytic="array", numeric="array"),
    entry(gradcheck.numerical_gradient, dict(f=np.sum, x=XT), x="anyshape", eps="real"),
    entry(gradcheck.gradient_check, dict(loss_fn=lambda d: float(np.sum(d["w"])), inputs={"w": XT},
                                         analytic={"w": np.ones_like(XT)}), inputs="dict", analytic="dict"),
    # gradient flow
    entry(gradient_flow.state_gradient_norms, dict(cell="rnn", parameters=CELL_P, x=X, h0=A0), cell="choice",
          parameters="params", x="seq", h0="array"),
    entry(gradient_flow.reach_map, dict(cell="rnn", parameters=CELL_P, x=X[:, :1]), cell="choice",
          parameters="params", x="seq"),
    entry(gradient_flow.jacobian_norms, dict(cell="rnn", parameters=CELL_P, x=X[:, :1]), cell="choice",
          parameters="params", x="seq"),
    entry(gradient_flow.scaled_orthogonal, dict(n=N_A, s=0.9), n="size", s="real", seed="seed"),
    entry(gradient_flow.set_sigma_max, dict(W=RNN_P["Waa"], sigma=0.9), W="loose", sigma="real"),
    entry(gradient_flow.pascanu_bound, dict(sigma_max=0.9, T=T), sigma_max="real", T="size", gamma="real"),
    entry(gradient_flow.linear_theory, dict(s=0.9, T=T), s="real", T="size"),
    entry(gradient_flow.rnn_for_gradient_study, dict(n_a=N_A, n_x=N_X, sigma_max=0.9, T=T), n_a="size",
          n_x="size", sigma_max="real", T="size", activation="choice", seed="seed"),
    entry(gradient_flow.gated_for_gradient_study, dict(kind="gru", n_a=N_A, n_x=N_X, T=T), kind="choice",
          n_a="size", n_x="size", T="size"),
    entry(gradient_flow.latch_experiment, dict(w=1.5, T=T), w="real", T="size", a0="real"),
    # training
    entry(training.init_model, dict(cell="rnn", n_x=N_X, n_a=N_A, n_y=N_Y), cell="choice", n_x="size",
          n_a="size", n_y="size"),
    entry(training.model_forward, dict(model=MODEL, x=X, cell="rnn"), model="params", x="seq", cell="choice",
          readout="choice"),
    entry(training.loss_and_gradients, dict(model=MODEL, x=X, y=Y_EVERY, cell="rnn"), model="params", x="seq",
          y=("labels", N_Y), cell="choice", reduction="choice"),
    entry(training.fit, dict(model=MODEL, x=X, y=Y_EVERY, cell="rnn", epochs=1), model="params", x="seq",
          y=("labels", N_Y), cell="choice", epochs="size", batch_size="size", clip="real?", readout="choice"),
    entry(training.predict, dict(model=MODEL, x=X, cell="rnn"), model="params", x="seq", cell="choice"),
    entry(training.accuracy, dict(model=MODEL, x=X, y=Y_EVERY, cell="rnn"), model="params", x="seq",
          y=("labels", N_Y), cell="choice"),
    # text
    entry(text.tokenize_words, dict(text="a b"), text="text", punctuation="choice"),
    entry(text.tokenize_chars, dict(text="ab"), text="text"),
    entry(text.Vocabulary, dict(tokens=["a", "b"]), "Vocabulary", tokens="object"),
    entry(text.Vocabulary.from_tokens, dict(sequences=TOKENS), "Vocabulary.from_tokens", sequences="object",
          k="size", order="choice"),
    entry(text.Vocabulary.from_text, dict(texts=["a b"]), "Vocabulary.from_text", texts="text", k="size",
          level="choice"),
    entry(PLAIN_VOCAB.token, dict(index=1), "Vocabulary.token", index="size0"),
    entry(PLAIN_VOCAB.most_common, dict(n=1), "Vocabulary.most_common", n="size"),
    entry(PLAIN_VOCAB.encode, dict(tokens=["a"]), "Vocabulary.encode", tokens="object"),
    entry(PLAIN_VOCAB.decode, dict(indices=[1]), "Vocabulary.decode", indices="object"),
    entry(PLAIN_VOCAB.encode_batch, dict(sequences=TOKENS), "Vocabulary.encode_batch", sequences="object",
          length="size"),
    entry(text.one_hot, dict(indices=[0, 1], vocab_size=3), indices="object", vocab_size="size"),
    # language model
    entry(lm_mod.load_names, dict(), split="choice"),
    entry(lm_mod.load_sentences, dict(), split="choice"),
    entry(lm_mod.tokenize, dict(texts=["ab"], level="char"), texts="text", level="choice"),
    entry(lm_mod.build_vocabulary, dict(token_lists=TOKENS), token_lists="object", k="size", order="choice"),
    entry(lm_mod.new_language_model, dict(vocab=VOCAB, level="char", n_a=N_A), vocab="object", level="choice",
          cell="choice", n_a="size", seed="seed"),
    entry(lm_mod.encode_corpus, dict(token_lists=TOKENS, vocab=VOCAB), token_lists="object", vocab="object",
          max_length="size"),
    entry(lm_mod.make_batch, dict(corpus=CORPUS, index=[0, 1], V=LM.V), corpus="object", index="object",
          V="size"),
    entry(lm_mod.batch_loss_and_gradients, dict(lm=LM, x=BATCH[0], y=BATCH[1], mask=BATCH[2]), lm="object",
          x="seq", y=("labels", LM.V), mask="array"),
    entry(lm_mod.train_language_model, dict(train=TOKENS, epochs=1, n_a=N_A), train="object", level="choice",
          cell="choice", n_a="size", epochs="size", batch_size="size", learning_rate="real",
          optimizer="choice", batching="choice"),
    entry(language_model_views.TrainingProgress, dict(epochs=3), "TrainingProgress", epochs="size"),
    entry(lm_mod.token_log_probs, dict(lm=LM, corpus=CORPUS), lm="object", corpus="object", chunk="size"),
    entry(lm_mod.evaluate, dict(lm=LM, token_lists=TOKENS), lm="object", token_lists="object"),
    entry(lm_mod.sequence_probability, dict(lm=LM, text="ab"), lm="object", text="text"),
    entry(lm_mod.initial_state, dict(lm=LM), lm="object", m="size"),
    entry(lm_mod.step, dict(lm=LM, previous=[1], state=lm_mod.initial_state(LM)), lm="object",
          previous=("labels", LM.V, "None: the first step"), state="array"),
    entry(lm_mod.ngram_baseline, dict(train=TOKENS, vocab=VOCAB), train="object", vocab="object",
          order="choice", alpha="real"),
    entry(lm_mod.save_model, dict(lm=LM, path="unused.npz"), lm="object"),
    entry(lm_mod.load_model, dict(path="unused.npz"), path="text"),
    entry(lm_mod.corpus_statistics, dict(token_lists=TOKENS, vocab=VOCAB), token_lists="object",
          vocab="object"),
    # sampling
    entry(sampling.temperature_softmax, dict(z=Z[:, :, 0]), z="loose", temperature="real"),
    entry(sampling.entropy_bits, dict(p=np.array([0.5, 0.5])), p="loose"),
    entry(sampling.encode_prefix, dict(lm=LM, prefix="ab"), prefix="text?", unknown="choice"),
    entry(sampling.next_token_probabilities, dict(lm=LM), lm="object", temperature="real", unknown="choice"),
    entry(sampling.sample, dict(lm=LM), lm="object", n="size", seed="seed", temperature="real",
          max_length="size", max_rejections="size"),
    entry(sampling.fraction_new, dict(texts=["ab"], known=["ab"]), texts="object"),
    entry(sampling_explorer.temperature_view, dict(lm=LM), lm="object", temperature="real", prefix="text", n="size"),
    # the tasks
    entry(ner.make_name_tagging_data, dict(n=4), n="size", seed="seed", p_full_name="real"),
    entry(ner.encode_tagging, dict(sentences=NER_SENTENCES, tags=NER_TAGS, vocab=NER_VOCAB),
          sentences="object", tags="object?", vocab="object"),
    entry(ner.train_name_tagger, dict(n_train=4, epochs=1), n_train="size", n_a="size", epochs="size",
          batch_size="size?", learning_rate="real", seed="seed"),
    entry(ner.as_binary_tagger, dict(model=training.init_model("rnn", 3, N_A, 2)), model="params"),
    entry(ner.binary_tagger_forward, dict(parameters=NER_MODEL, x=NER_X), parameters="params", x="seq"),
    entry(ner.binary_tagger_loss, dict(parameters=NER_MODEL, x=NER_X, y=NER_Y),
          parameters="params", x="seq"),
    entry(ner.tag_probabilities, dict(parameters=NER_MODEL, vocab=NER_VOCAB, tokens=["Anna", "is"]),
          parameters="params", vocab="object", tokens="text"),
    entry(ner.format_tagged, dict(tokens=["a", "b"], probabilities=np.array([0.2, 0.9])), tokens="object",
          probabilities="loose", threshold="real", decimals="size0"),
    entry(toy_tasks.split_phrases, dict(pairs=toy_tasks.load_sentiment_phrases()), pairs="object",
          n_test="size", seed="seed"),
    entry(toy_tasks.encode_phrases, dict(pairs=[("good film", 1)], vocab=text.Vocabulary(["good", "film"], pad=True)),
          pairs="object", vocab="object"),
    entry(toy_tasks.make_count_by_task, dict(), T_y="size"),
    entry(toy_tasks.generate, dict(model=training.init_model("rnn", 10, N_A, 10), start=1, T_y=3),
          model="params", start="size0", T_y="size", cell="choice"),
    entry(toy_tasks.number_to_words, dict(n=42), n="size0"),
    entry(toy_tasks.encode_numbers, dict(numbers=[3, 14], vocab=NUM_VOCAB), numbers="object", vocab="object"),
    entry(toy_tasks.init_encoder_decoder, dict(n_x=N_X, n_a=N_A), n_x="size", n_a="size", n_y="size",
          n_d="size", seed="seed"),
    entry(toy_tasks.encoder_decoder_loss, dict(params=ED, batch=NUM_BATCH), params="params", batch="dict",
          reduction="choice"),
    entry(toy_tasks.fit_encoder_decoder, dict(params=ED, batch=NUM_BATCH, epochs=1), params="params",
          batch="dict", epochs="size", batch_size="size", learning_rate="real", clip="real", seed="seed"),
    entry(toy_tasks.greedy_decode, dict(params=ED, x=NUM_BATCH["x"], lengths=NUM_BATCH["lengths"]),
          params="params", x="seq", max_len="size"),
    entry(toy_tasks.digits_to_str, dict(outputs=np.array([[1, 2]])), outputs="object"),
    entry(memory_task.memory_task_vocabulary, dict(), nouns="object", distractors="object"),
    entry(memory_task.encode_tokens, dict(tokens=[["the", "cat"]], vocab=TASK.vocab), tokens="object",
          vocab="object"),
    entry(memory_task.make_memory_task, dict(m=8, gap=2), m="size", gap="size0", seed="seed"),
    entry(memory_task.fit_memory_task, dict(cell="gru", train=TASK, test=TASK, n_a=N_A, steps=1),
          cell="choice", train="object", test="object", n_a="size", steps="size", keep_bias="real",
          seed="seed"),
    entry(TASK.sentence, dict(i=0), "MemoryTask.sentence", i="size0"),
    entry(lookahead_task.make_lookahead_data, dict(n=4), n="size", seed="seed", p_ambiguous="real",
          p_name="real"),
    entry(lookahead_task.encode_lookahead, dict(sentences=LOOK[0], tags=LOOK[1], roles=LOOK[2]),
          sentences="object", tags="object", roles="object"),
    entry(capstone.config_label, dict(cell="lstm"), cell="choice", keep_bias="real"),
    entry(capstone.test_task, dict(gap=2, test_size=8), gap="size0", test_size="size"),
    entry(capstone.margin_gradient_norms, dict(model=CAP_MODEL, cell="lstm", task=TASK), model="params",
          cell="choice", task="object", n_probe="size"),
    entry(capstone.gate_summary, dict(model=CAP_MODEL, cell="lstm", task=TASK), model="params", cell="choice",
          task="object", n_probe="size"),
    entry(capstone.run_one, dict(cell="lstm", gap=2, seed=0, steps=1, test_size=8, n_probe=4), cell="choice",
          gap="size", seed="seed", keep_bias="real", n_a="size", steps="size", batch_size="size",
          test_size="size", n_probe="size"),
    entry(capstone.run_sweep, dict(settings=dict(capstone.SWEEP_SETTINGS)), settings="dict"),
    entry(capstone.save_results, dict(results=SWEEP, path="unused.json"), results="dict"),
    entry(capstone.find_run, dict(results=SWEEP, cell="lstm", gap=2, seed=0), results="dict"),
    entry(capstone.summarize, dict(results=SWEEP), results="dict", threshold="real"),
    entry(capstone.format_summary, dict(summary=capstone.summarize(SWEEP)), summary="dict"),
    entry(capstone_views.sweep_view, dict(results=SWEEP, config=capstone.config_label("lstm"), gap=2),
          results="dict", config="choice", gap="size0"),
]


def _cases():
    for fn, good, name, kinds in TABLE:
        signature = inspect.signature(fn)
        for arg, kind in kinds.items():
            none_ok = False
            if isinstance(kind, tuple):
                bad_values = label_cases(good.get(arg), kind[1])
                none_ok = len(kind) > 2
            else:
                none_ok = kind.endswith("?")
                bad_values = KINDS[kind.rstrip("?")](good.get(arg))
            parameter = signature.parameters.get(arg)
            none_ok = none_ok or (parameter is not None and parameter.default is None)
            for category, value, error in bad_values:
                if value is None and none_ok:
                    continue                        # None is a documented value of this argument
                yield pytest.param(fn, good, name, arg, value, error, id=f"{name}-{arg}-{category}")


@pytest.mark.parametrize("fn, good, name, arg, value, error", list(_cases()))
def test_bad_input_is_a_clear_error(fn, good, name, arg, value, error, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                       # save_model / save_results never write anything here
    try:
        fn(**{**good, arg: value})
    except Exception as exc:                          # noqa: BLE001 (the report below names it)
        raised = exc
    else:
        raised = None
    assert isinstance(raised, error), f"{type(raised).__name__}: {raised}"
    info = pytest.ExceptionInfo.from_exc_info((type(raised), raised, raised.__traceback__))
    message = info.value.args[0] if info.value.args else ""
    assert isinstance(message, str) and message.startswith(f"{name}:"), message
    assert arg in message, message


# ----------------------------------------------------------------------------------------------
# cases a table of argument kinds does not reach
# ----------------------------------------------------------------------------------------------

def test_fit_refuses_labels_of_other_examples_before_any_mini_batch():
    """4 label rows for 6 examples: with mini-batches of 2 the first batches would find their rows and
    train on labels of other examples; the whole data set is checked before the first step."""
    with pytest.raises(ValueError, match=r"fit: y must have shape \(N, T_x\) = \(5, 6\) to match x \(3, 5, 6\), "
                                         r"got \(4, 6\)"):
        training.fit(MODEL, X, Y_EVERY[:4], "rnn", epochs=1, batch_size=2)
    with pytest.raises(ValueError, match=r"fit: y must have shape \(N,\) = \(5,\)"):
        training.fit(MODEL, X, Y_LAST[:4], "rnn", epochs=1, batch_size=2, readout="last")
    with pytest.raises(ValueError, match=r"fit: mask must have shape \(N, T_x\) = \(5, 6\)"):
        training.fit(MODEL, X, Y_EVERY, "rnn", epochs=1, batch_size=2, mask=np.ones((4, T)))


@pytest.mark.parametrize("labels, why", [(np.full((M, T), "a"), "dtype <U1"), (np.full((M, T), N_Y), "from 2 to 2"),
                                         (np.full((M, T), 0.5), "non-integer value 0.5")])
def test_accuracy_refuses_labels_it_could_never_match(labels, why):
    """A str, a class the model does not have, or a fraction can never equal a prediction: an accuracy of 0
    would be a silent wrong result."""
    with pytest.raises(ValueError, match=f"accuracy: y must hold .*{why}"):
        training.accuracy(MODEL, X, labels, "rnn")
    # an integral float label is a label (1.0 is class 1): the accuracy counts it as such
    predicted = training.predict(MODEL, X, "rnn")
    assert training.accuracy(MODEL, X, predicted.astype(float), "rnn") == 1.0


def test_a_model_without_a_key_says_which_and_what_a_model_has():
    broken = {k: v for k, v in MODEL.items() if k != "Wy"}
    with pytest.raises(KeyError, match=r"fit: model is missing the key 'Wy': a model of Cell\('rnn'\) has "
                                       r"Wax, Waa, ba, Wy, by \(init_model makes one\); it has: Waa, Wax, ba, by"):
        training.fit(broken, X, Y_EVERY, "rnn", epochs=1)


def test_errors_through_the_layer_interface_and_training_name_the_callers_arguments():
    params = get_cell("lstm").init(N_X, N_A)
    with pytest.raises(ValueError, match=r"^Cell\('lstm'\).forward: h0 must have shape \(n_a, m\) = \(4, \*\)"):
        get_cell("lstm").forward(X, np.zeros((N_A + 1, M)), params)
    with pytest.raises(ValueError, match=r"^fit: cell must be one of 'rnn', 'gru', 'lstm' or a Cell"):
        training.fit(MODEL, X, Y_EVERY, "transformer", epochs=1)


def test_a_check_that_checks_nothing_is_refused():
    with pytest.raises(ValueError, match="gradient_check: analytic is empty, so there is nothing to check"):
        gradcheck.gradient_check(lambda d: 0.0, {"w": np.ones(3)}, {})


@pytest.mark.parametrize("chunk", [-1, 0])
def test_token_log_probs_refuses_a_chunk_that_reads_nothing(chunk):
    """chunk = -1 used to give all-zero log-probabilities (every token "certain")."""
    with pytest.raises(ValueError, match=f"token_log_probs: chunk must be an integer >= 1, got {chunk}"):
        lm_mod.token_log_probs(LM, CORPUS, chunk=chunk)


def test_sample_refuses_a_prefix_longer_than_the_sample():
    with pytest.raises(ValueError, match="sample: prefix has 31 tokens, more than max_length = 30"):
        sampling.sample(LM, prefix="a" * 31)


def test_load_model_refuses_a_plain_npy_file_and_none(tmp_path):
    path = tmp_path / "weights.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match="load_model: weights.npy is not a readable .npz file of a language model"):
        lm_mod.load_model(path)
    with pytest.raises(ValueError, match="load_model: path must be the str or Path of a .npz file"):
        lm_mod.load_model(None)


def test_load_model_refuses_a_forged_header_before_allocating(tmp_path):
    """An array whose header claims 10**6 x 10**6 float64 (8 TB) in a file of a few kilobytes: the header
    is read and refused; nothing of that size is ever allocated (that would be a MemoryError, or worse)."""
    import io
    import zipfile

    good = lm_mod.save_model(LM, tmp_path / "good.npz")
    forged = tmp_path / "forged.npz"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(forged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "Wy.npy":
                header = io.BytesIO()
                np.lib.format.write_array_header_1_0(
                    header, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)})
                data = header.getvalue() + b"\0" * 64
            dst.writestr(info.filename, data)
    with pytest.raises(ValueError, match=r"load_model: forged.npz is not a readable .npz file .*'Wy' claims "
                                         r"shape \(1000000, 1000000\)"):
        lm_mod.load_model(forged)
    assert lm_mod.load_model(good).params["Wy"].shape == LM.params["Wy"].shape     # the untouched file loads


def test_told_as_names_the_callers_function_and_arguments_only():
    """The inner function's name is replaced, whole argument names are renamed (c0, not dc0 or the key
    'c0'), and other exceptions pass through unchanged."""
    from helpers._checks import told_as

    with pytest.raises(ValueError) as info:
        with told_as("outer", {"c0": "h0"}):
            raise ValueError("inner: c0 must have shape (4, 5), got (3, 5); dc0 and parameters['c0'] stay")
    assert str(info.value) == "outer: h0 must have shape (4, 5), got (3, 5); dc0 and parameters['c0'] stay"
    with pytest.raises(KeyError) as info:
        with told_as("outer"):
            raise KeyError("inner: parameters is missing the key 'Wax'")
    assert info.value.args[0] == "outer: parameters is missing the key 'Wax'"
    with pytest.raises(TypeError, match="^not ours$"):
        with told_as("outer"):
            raise TypeError("not ours")


def test_the_temperature_view_refuses_a_prefix_longer_than_a_sample():
    """What the notebook 06 explorer computes: its prefix box must not hold more than the 30 characters a
    sample has; the error says so in the view's own terms (it has no max_length to raise)."""
    with pytest.raises(ValueError, match="^temperature_view: prefix has 31 characters, more than the 30 a sample "
                                         "holds; shorten it$"):
        sampling_explorer.temperature_view(LM, prefix="a" * 31)
    assert sampling_explorer.temperature_view(LM, prefix="a" * 30, n=2)["prefix"] == "a" * 30


@pytest.mark.parametrize("call, name", [
    (lambda: training.init_model("rnn", 3, 20_000, 2), "init_model"),       # Waa alone: 4e8 numbers
    (lambda: lstm.initialize_lstm_parameters(3, 10_000, 2), "initialize_lstm_parameters"),
    (lambda: gradient_flow.scaled_orthogonal(20_000, 1.0), "scaled_orthogonal"),
    (lambda: text.one_hot(np.zeros((1_000, 1_000), dtype=int), 1_000), "one_hot"),
])
def test_sizes_each_allowed_but_too_big_together_are_refused_before_allocating(call, name):
    """Every size is within MAX_SIZE, their product is not: refused by arithmetic, before numpy is asked
    for gigabytes (an (n_a, n_a) matrix for n_a = 20,000 is 3.2 GB)."""
    with pytest.raises(ValueError, match=f"^{name}: .* would need [0-9,]+ numbers .* more than the 100,000,000"):
        call()
