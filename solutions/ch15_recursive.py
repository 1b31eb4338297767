"""Keras/TF references for chapter 15, recursive neural networks (递归神经网络).

The tree is built from Keras layers in float64: a ``keras.layers.Embedding``
holding the word vectors E gives the leaves, and one
``keras.layers.Dense(d, activation="tanh")`` holding (W, b), applied to
``tf.concat`` of the two children, gives every parent — the same layer
object at every node, so its weights are shared as in the learner's network.
``tf.GradientTape`` differentiates through the whole structure; the gradient
of the embedding comes back as ``tf.IndexedSlices`` (one slice per leaf), and
``tf.convert_to_tensor`` sums the slices of a word used at several leaves.

The classifier is a ``keras.layers.Dense(K)`` on the root vector and the loss
``keras.losses.sparse_categorical_crossentropy(from_logits=True)``, which
TensorFlow computes stably for logits of any size.

``parse_tree`` has no Keras twin: it is an independent recursive-descent
parser, to be compared with the learner's (usually stack-based) one.
"""
import numpy as np
import tensorflow as tf
import keras


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def parse_tree(text, vocab, unknown=0):
    """(tokens, children) of a bracketed binary tree, by recursive descent, internal nodes in post-order."""
    pieces = text.replace("(", " ( ").replace(")", " ) ").split()
    words = [p for p in pieces if p not in ("(", ")")]
    n, children = len(words), []
    leaves = iter(range(n))

    def node(at):
        """Parse the node starting at pieces[at]: (its number, the index after it)."""
        if pieces[at] != "(":
            return next(leaves), at + 1
        left, at = node(at + 1)
        right, at = node(at)
        if pieces[at] != ")":
            raise ValueError("every bracket must hold exactly two nodes")
        children.append((left, right))
        return n + len(children) - 1, at + 1

    _, end = node(0)
    if end != len(pieces):
        raise ValueError(f"not one binary tree: {text!r}")
    tokens = np.array([vocab.get(w, unknown) for w in words], dtype=np.int64)
    return tokens, np.array(children, dtype=np.int64).reshape(-1, 2)


def _layers(E, W, b):
    """An Embedding holding E and a Dense(d, tanh) holding (W, b), both float64."""
    E = _f64(E)
    vocab_size, d = E.shape
    embedding = keras.layers.Embedding(vocab_size, d, dtype="float64")
    embedding.build((None,))
    embedding.set_weights([E])
    compose = keras.layers.Dense(d, activation="tanh", dtype="float64")
    compose.build((None, 2 * d))
    compose.set_weights([_f64(W), _f64(b)])
    return embedding, compose


def _nodes(tokens, children, embedding, compose):
    """All node vectors as a (2n - 1, d) tensor, composed bottom-up in the order of children."""
    nodes = list(tf.unstack(embedding(tf.constant(np.asarray(tokens, dtype=np.int64)))))
    for left, right in np.asarray(children, dtype=np.int64).reshape(-1, 2):
        nodes.append(compose(tf.concat([nodes[left], nodes[right]], axis=-1)[None, :])[0])
    return tf.stack(nodes)


def _dense_gradients(grads, weights):
    """NumPy gradients: IndexedSlices summed into a dense array, None (a one-word tree's W, b) as zeros."""
    return [np.zeros(w.shape) if g is None else tf.convert_to_tensor(g).numpy()
            for g, w in zip(grads, weights)]


def tree_forward(tokens, children, E, W, b):
    """H: the Embedding's rows for the leaves, then Dense(tanh)(concat(children)) for each parent."""
    return _nodes(tokens, children, *_layers(E, W, b)).numpy()


def tree_backward(tokens, children, E, W, b, grad_root):
    """(dE, dW, db): GradientTape's vector-Jacobian product of the root with grad_root."""
    embedding, compose = _layers(E, W, b)
    with tf.GradientTape() as tape:
        root = _nodes(tokens, children, embedding, compose)[-1]
    weights = embedding.trainable_weights + compose.trainable_weights
    grads = tape.gradient(root, weights, output_gradients=tf.constant(_f64(grad_root)))
    return tuple(_dense_gradients(grads, weights))


def tree_gradients(tokens, children, E, W, b, W_out, b_out, label):
    """(loss, dE, dW, db, dW_out, db_out) of sparse categorical cross-entropy on Dense(K)(root)."""
    embedding, compose = _layers(E, W, b)
    W_out = _f64(W_out)
    classifier = keras.layers.Dense(W_out.shape[1], dtype="float64")
    classifier.build((None, W_out.shape[0]))
    classifier.set_weights([W_out, _f64(b_out)])
    weights = embedding.trainable_weights + compose.trainable_weights + classifier.trainable_weights
    with tf.GradientTape() as tape:
        logits = classifier(_nodes(tokens, children, embedding, compose)[-1:])
        loss = keras.losses.sparse_categorical_crossentropy(
            tf.constant([int(label)]), logits, from_logits=True)[0]
    return (float(loss), *_dense_gradients(tape.gradient(loss, weights), weights))
