# Student edition of the course, generated from source/ch15_recursive.py by `nndl build`; course developers edit that file.
# %% [markdown]
# # Chapter 15 — Recursive neural networks (递归神经网络)
#
# A sentence is not just a sequence of words: "the cat sat on the mat" is
# built from phrases — "the cat", "on the mat", "sat on the mat" — and a
# phrase means what its parts mean, *composed*. A **recursive neural network
# (递归神经网络, RecNN)** follows that structure. It takes a **parse tree
# (语法树)** of the sentence and computes one vector for every node,
# **bottom-up**: a word's vector is its **word vector (词向量)**, and the
# vector of a **parent node (父节点)** is computed from the vectors of its two
# **child nodes (子节点)** by one and the same small network, everywhere in
# the tree. The root's vector then stands for the whole sentence, and a
# classifier reads it. (The chapter follows the notes' link,
# 零基础入门深度学习(7) - 递归神经网络.)
#
# A **recurrent** network (循环神经网络, chapter 13) is the special case
# whose tree always branches to the left: $(((w_1\,w_2)\,w_3)\,w_4)$. A
# recursive network may compose in any order the tree says.
#
# **The composition (Keras layout: row vectors).** Every node vector has
# length $d$. A parent with left child $c_1$ and right child $c_2$ is
#
# $$p = \tanh\big([c_1, c_2]\, W + b\big),$$
#
# where $[c_1, c_2]$ is the row of length $2d$ made of $c_1$ followed by
# $c_2$, the **weight matrix (权重)** $W$ has shape $(2d, d)$ and the
# **bias (偏置)** $b$ has shape $(d,)$. This is a `keras.layers.Dense(d,
# activation="tanh")` applied to `tf.concat([c1, c2], axis=-1)`. The notes'
# column form $p = \tanh(W'[c_1; c_2] + b)$ has $W' = W^T$ of shape
# $(d, 2d)$. The same $W$ and $b$ are used at every parent: the weights are
# **shared (共享)** over the whole tree, as a convolution shares its kernel
# over the image.
#
# **A tree as plain arrays.** Number the $n$ leaves $0, \dots, n-1$ from left
# to right; their words are `tokens`, integer ids into the **embedding
# matrix** `E` of shape (vocab_size, $d$), so leaf $i$'s vector is
# `E[tokens[i]]` (`keras.layers.Embedding`). Internal node $k$ gets the number
# $n + k$, and row $k$ of the integer array `children`, of shape
# $(n - 1, 2)$, holds its (left, right) children. The rows are in a
# **bottom-up (topological) order**: a node's children always have smaller
# numbers than the node itself. So the root is the last node, $2n - 2$, and
# computing the nodes in the order of `children` never needs a vector that
# is not ready yet. A one-word "tree" has `children` of shape (0, 2).
#
# **How you are checked.** Your node vectors and gradients are compared with
# a TensorFlow version of the same network in float64: a
# `keras.layers.Embedding` holding `E`, a `keras.layers.Dense(d, "tanh")`
# holding `W` and `b` applied to `tf.concat` of the children, and
# `tf.GradientTape` for the gradients. Tolerance: 1e-6 relative, 1e-9
# absolute. Tree parsing is pure Python and must be exact.

# %%
import numpy as np

# %% [markdown]
# ## Exercise 1: from a bracketed string to arrays
#
# A parse tree written with brackets: every internal node is
# `( left right )`, each side a word or another bracketed node, and a word is
# any run of characters other than spaces and brackets. So
# `"((the cat) (sat (on (the mat))))"` is the sentence "the cat sat on the
# mat". Brackets need not be separated from words by spaces, and any white
# space (spaces, tabs, new lines) separates words.
#
# Return `tokens` (one id per word, left to right: `vocab[word]`, or
# `unknown` for a word that is not in `vocab`) and `children`, numbering the
# internal nodes in the order in which their closing brackets appear — the
# **post-order**, which is bottom-up. Hint: scan the pieces with a stack;
# at a closing bracket, the two nodes on top of the stack are the children
# of a new node. Count the words first, since the internal nodes are
# numbered after all leaves. Raise `ValueError` for a string that is not one
# binary tree.

# %%
def parse_tree(text, vocab, unknown=0):
    """The arrays of a binary parse tree written with brackets, e.g. "((the cat) (sat down))".

    Leaves are numbered 0..n-1 from left to right; internal node k (numbered
    n + k) is the k-th to close its bracket, and children[k] = (left, right).
    Pure Python: there is no Keras twin.

    Args:
        text: the bracketed tree; a single word is a tree of one leaf.
        vocab: dict word -> id.
        unknown: the id of words that are not in vocab.
    Returns:
        (tokens, children): int arrays of shapes (n,) and (n - 1, 2).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch15_recursive/parse_tree", parse_tree)

# %% [markdown]
# ## Look at it: the tree and its numbering
#
# Leaves at the bottom, in sentence order; every internal node halfway
# between its children, one level above the higher of them. The numbers are
# the rows of the node-vector matrix you compute next.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import matplotlib.pyplot as plt

    SENTENCE = "((the cat) (sat (on (the mat))))"
    words = SENTENCE.replace("(", " ").replace(")", " ").split()
    vocab = {w: i for i, w in enumerate(dict.fromkeys(words))}
    tokens, children = parse_tree(SENTENCE, vocab)
    print("tokens:", tokens, "\nchildren:\n", children)


    def draw_tree(tokens, children, labels, ax):
        """Draw a tree from its arrays: leaves on the ground, each parent above its children."""
        n = len(tokens)
        x, y = list(range(n)), [0] * n
        for left, right in children:
            x.append((x[left] + x[right]) / 2)
            y.append(max(y[left], y[right]) + 1)
        for k, (left, right) in enumerate(children):
            for child in (left, right):
                ax.plot([x[n + k], x[child]], [y[n + k], y[child]], "k-", lw=1)
        for i in range(len(x)):
            ax.text(x[i], y[i], str(i), ha="center", va="center",
                    bbox={"boxstyle": "circle", "fc": "lightyellow" if i < n else "lightblue"})
        for i, word in enumerate(labels):
            ax.text(x[i], -0.6, word, ha="center", va="top")
        ax.set_ylim(-1.2, max(y) + 0.6)
        ax.axis("off")


    fig, ax = plt.subplots(figsize=(6, 3.5))
    draw_tree(tokens, children, words, ax)
    ax.set_title("a parse tree as arrays: leaves 0-5, internal nodes 6-10 (root)")
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ## Exercise 2: the forward pass (前向计算)
#
# Return the matrix `H` of all node vectors, shape $(2n - 1, d)$: rows
# $0..n-1$ the leaves' word vectors `E[tokens]`, then row $n + k$ the parent
# $\tanh([H_\text{left}, H_\text{right}]\, W + b)$ of `children[k]`,
# computed in the order of the rows of `children`. The last row is the root.

# %%
def tree_forward(tokens, children, E, W, b):
    """Every node vector of a recursive network, leaves first, root last.

    H[i] = E[tokens[i]] for the n leaves; H[n + k] = tanh([H[l], H[r]] W + b)
    with (l, r) = children[k]. Mirrors keras.layers.Embedding holding E and
    keras.layers.Dense(d, activation="tanh") holding (W, b), applied to
    tf.concat([H[l], H[r]], axis=-1).

    Args:
        tokens: word ids of the leaves, int array of shape (n,).
        children: int array of shape (n - 1, 2), rows in bottom-up order.
        E: word vectors, shape (vocab_size, d).
        W: composition kernel, shape (2d, d) (the transpose of the notes' W).
        b: composition bias, shape (d,).
    Returns:
        H: float array of shape (2n - 1, d).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch15_recursive/tree_forward", tree_forward)

# %% [markdown]
# ## Exercise 3: backpropagation through structure (结构反向传播, BPTS)
#
# Some loss $L$ depends on the network only through the root vector, and you
# are given its gradient there, $\partial L / \partial h_\text{root}$
# (`grad_root`, shape $(d,)$). Send it down the tree, **top-down** — the
# rows of `children` in *reverse* order, so that a node's gradient is
# complete before it is passed on. At the parent $p = \tanh(z)$,
# $z = [c_1, c_2] W + b$, with $g_p = \partial L/\partial p$ the gradient
# that arrived at $p$:
#
# * the **error term (误差项)** $\delta_p = \partial L/\partial z =
#   g_p \odot (1 - p^2)$, since $\tanh'(z) = 1 - \tanh^2(z)$ — computed from
#   the node's *output* $p$;
# * its share of the shared weights' gradient: add $[c_1, c_2]^T \delta_p$
#   (an outer product, shape $(2d, d)$) to $\partial L/\partial W$, and
#   $\delta_p$ to $\partial L/\partial b$. Every parent adds its share: $W$
#   and $b$ are used at every parent, so their gradient is the **sum over all
#   internal nodes**;
# * what goes on to the children: $\delta_p W^T$, of length $2d$; its first
#   $d$ entries are added to $g_{c_1}$, the last $d$ to $g_{c_2}$.
#
# A leaf's gradient goes to its row of the embedding matrix. When a word
# appears at several leaves, its row receives the **sum** of their
# gradients (`np.add.at`, not `dE[tokens] = ...`); rows of words that are not
# in the sentence stay zero.

# %%
def tree_backward(tokens, children, E, W, b, grad_root):
    """Gradients of a loss that depends on the root vector, by backpropagation through structure.

    With H = tree_forward(...) and g[root] = grad_root, for k from last to first,
    (l, r) = children[k], p = H[n + k]:
        delta = g[p] * (1 - p**2);  dW += outer([H[l], H[r]], delta);  db += delta
        (g[l], g[r]) += the two halves of delta W.T
    and dE[tokens[i]] += g[i] for every leaf i. Mirrors
    tf.GradientTape.gradient(root, [embeddings, kernel, bias], output_gradients=grad_root).

    Args:
        tokens: word ids of the leaves, int array of shape (n,).
        children: int array of shape (n - 1, 2), rows in bottom-up order.
        E: word vectors, shape (vocab_size, d).
        W: composition kernel, shape (2d, d).
        b: composition bias, shape (d,).
        grad_root: dL/d(root vector), shape (d,).
    Returns:
        (dE, dW, db): gradients with the shapes of E, W and b.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch15_recursive/tree_backward", tree_backward)

# %% [markdown]
# ## Look at it: gradients vanish with depth in a tree too
#
# A left-branching tree is a recurrent network in disguise, and it suffers
# from chapter 11's problem: the gradient that reaches a leaf is a product
# of one factor $W^T \mathrm{diag}(1 - p^2)$ per level between the leaf and
# the root. With each word used once, row `tokens[i]` of `dE` is exactly the
# gradient at leaf $i$; its length falls geometrically with the leaf's depth
# when the weights are small, and far less when they are large enough to
# make up for the tanh's slope.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    rng = np.random.default_rng(0)
    n, d = 24, 8
    chain_tokens = np.arange(n)
    chain_children = np.array([(0, 1)] + [(n + k - 1, k + 1) for k in range(1, n - 1)])
    E_demo = rng.normal(0, 1, (n, d))
    depth = np.array([n - 1] + [n - i for i in range(1, n)])  # leaf 0 and 1 are deepest
    plt.figure(figsize=(6, 3.5))
    for scale in (0.5, 1.0, 2.0):
        W_demo = rng.normal(0, scale / np.sqrt(2 * d), (2 * d, d))
        dE_demo, _, _ = tree_backward(chain_tokens, chain_children, E_demo, W_demo, np.zeros(d),
                                      np.ones(d) / np.sqrt(d))
        plt.semilogy(depth, np.linalg.norm(dE_demo, axis=1), "o-", ms=3,
                     label=f"W ~ N(0, ({scale:g})^2 / 2d)")
    plt.xlabel("depth of the leaf (levels below the root)")
    plt.ylabel("||dL/d(word vector)|| (log scale)")
    plt.title("a left-branching tree of 24 words")
    plt.legend()
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ## Exercise 4: a sentence classifier on the root
#
# To classify a sentence (say, its sentiment), put a **softmax (柔性最大值)**
# layer on the root vector: logits $z = h_\text{root} W_\text{out} +
# b_\text{out}$, $W_\text{out}$ of shape $(d, K)$ for $K$ classes, and the
# **cross-entropy (交叉熵)** loss of the true class $y$,
#
# $$L = -\ln \mathrm{softmax}(z)_y = \ln \textstyle\sum_j e^{z_j} - z_y.$$
#
# Compute it stably (chapter 6: subtract $\max_j z_j$ before exponentiating).
# Its gradient at the logits is $\mathrm{softmax}(z) - \mathrm{onehot}(y)$;
# from there $\partial L/\partial W_\text{out}$, $\partial L/\partial
# b_\text{out}$ and the gradient at the root, $(\mathrm{softmax}(z) -
# \mathrm{onehot}(y))\, W_\text{out}^T$, which your `tree_backward` takes
# down the tree.

# %%
def tree_gradients(tokens, children, E, W, b, W_out, b_out, label):
    """The cross-entropy of a softmax classifier on the root, and its gradient for every parameter.

    z = H[root] W_out + b_out;  L = logsumexp(z) - z[label];
    dL/dz = softmax(z) - onehot(label);  dW_out = outer(H[root], dL/dz);  db_out = dL/dz;
    (dE, dW, db) = tree_backward(..., grad_root = dL/dz W_out.T).
    Mirrors keras.losses.sparse_categorical_crossentropy(from_logits=True) on a
    keras.layers.Dense(K) holding (W_out, b_out), differentiated by tf.GradientTape.

    Args:
        tokens: word ids of the leaves, int array of shape (n,).
        children: int array of shape (n - 1, 2), rows in bottom-up order.
        E: word vectors, shape (vocab_size, d).
        W: composition kernel, shape (2d, d).
        b: composition bias, shape (d,).
        W_out: classifier kernel, shape (d, K).
        b_out: classifier bias, shape (K,).
        label: the true class, an int in [0, K).
    Returns:
        (loss, dE, dW, db, dW_out, db_out): a float and gradients shaped as the parameters.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch15_recursive/tree_gradients", tree_gradients)

# %% [markdown]
# ## Look at it: learning that "not" flips the meaning
#
# A toy sentiment task on generated sentences such as
# `((the film) (was (not (very good))))`: the label is 1 (positive) when the
# adjective is positive and not negated, or negative and negated. Which way
# a sentence goes depends on how "not" *composes* with the phrase next to
# it, which a bag of words cannot see (it is an exclusive or of two words)
# but the tree can. Plain stochastic gradient descent (随机梯度下降), one
# sentence at a time, with your `tree_gradients`; $d = 8$.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import time

    POSITIVE, NEGATIVE = ["good", "great", "fun", "clever"], ["bad", "dull", "awful", "boring"]
    GRAMMAR = {"det": ["the", "a", "this"], "noun": ["film", "plot", "story", "cast"],
               "verb": ["was", "is", "seems"]}
    toy_vocab = {w: i for i, w in enumerate(GRAMMAR["det"] + GRAMMAR["noun"] + GRAMMAR["verb"] +
                                             POSITIVE + NEGATIVE + ["not", "very"])}


    def toy_sentence(rng):
        """A bracketed sentence and its label: 1 for positive."""
        positive = rng.random() < 0.5
        phrase = rng.choice(POSITIVE if positive else NEGATIVE)
        if rng.random() < 0.3:
            phrase = f"(very {phrase})"
        negated = rng.random() < 0.5
        if negated:
            phrase = f"(not {phrase})"
        subject = f"({rng.choice(GRAMMAR['det'])} {rng.choice(GRAMMAR['noun'])})"
        return f"({subject} ({rng.choice(GRAMMAR['verb'])} {phrase}))", int(positive != negated)


    rng = np.random.default_rng(0)
    train_set = [toy_sentence(rng) for _ in range(300)]
    test_set = [toy_sentence(rng) for _ in range(200)]
    train_trees = [(parse_tree(s, toy_vocab), y) for s, y in train_set]
    test_trees = [(parse_tree(s, toy_vocab), y) for s, y in test_set]

    d, K, eta = 8, 2, 0.05
    params = [rng.normal(0, 0.5, (len(toy_vocab), d)), rng.normal(0, 1 / np.sqrt(2 * d), (2 * d, d)),
              np.zeros(d), rng.normal(0, 1 / np.sqrt(d), (d, K)), np.zeros(K)]


    def predict(tree, params):
        E, W, b, W_out, b_out = params
        return int(np.argmax(tree_forward(*tree, E, W, b)[-1] @ W_out + b_out))


    start, losses, accuracies = time.perf_counter(), [], []
    for epoch in range(15):
        total = 0.0
        for i in rng.permutation(len(train_trees)):
            tree, y = train_trees[i]
            loss, *grads = tree_gradients(*tree, *params, y)
            params = [p - eta * g for p, g in zip(params, grads)]
            total += loss
        losses.append(total / len(train_trees))
        accuracies.append(np.mean([predict(t, params) == y for t, y in test_trees]))
    print(f"15 epochs in {time.perf_counter() - start:.1f} s; test accuracy {accuracies[-1]:.1%}")
    for text in ("((the film) (was good))", "((the film) (was (not good)))",
                 "((the plot) (seems (not (very dull))))", "((a cast) (is awful))"):
        print(f"{text:42} -> {'positive' if predict(parse_tree(text, toy_vocab), params) else 'negative'}")

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
    axes[0].plot(range(1, 16), losses, "o-")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("mean cross-entropy (training)")
    axes[1].plot(range(1, 16), accuracies, "o-", color="C1")
    axes[1].axhline(0.5, color="gray", ls=":", label="chance")
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("accuracy on 200 new sentences")
    axes[1].legend()
    fig.suptitle("a recursive network learns to compose negation")
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)
