"""Checks for chapter 15: parsing a bracketed tree, the forward pass of a recursive network,
backpropagation through structure, and a softmax classifier on the root.

Node vectors and gradients are compared with a float64 TensorFlow network
built from keras.layers.Embedding and one shared keras.layers.Dense(tanh)
(see solutions/ch15_recursive.py). NumPy and TensorFlow agree to about 1e-15
relative in float64; the tolerance is 1e-6 relative and 1e-9 absolute, since
the gradient at the deepest leaves of a 20-level tree is small (around 1e-4)
and a tolerance of 1e-6 absolute would pass almost anything there. Parsing
is integer bookkeeping and must match exactly (tolerance 0).

Trees are generated as arrays: random bracketings made by merging two
neighbouring nodes at a time, so that the rows of children come in a
bottom-up order that is often NOT the post-order of the parser (the forward
and backward passes must follow the given order, not assume one), and the
two chains, left-branching (a recurrent network) and right-branching. Hidden
trees are deeper and wider, use odd vector sizes, repeat words, and include a
one-word tree.
"""
import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check
from nndl.grader.grading.oracle import oracle, references

ref = references("ch15_recursive")

ATOL, RTOL = 1e-9, 1e-6
WORDS = ("the a cat dog mat rug sat lay on under quickly big small red very not good bad film "
         "plot was is , n't 's").split()
VOCAB = {w: i for i, w in enumerate(WORDS)}


# ----------------------------------------------------------------- tree shapes
def random_tree(rng, n):
    """children of a random bracketing of n leaves; rows in the order the merges happened."""
    row, children = list(range(n)), []
    while len(row) > 1:
        i = int(rng.integers(len(row) - 1))
        children.append((row[i], row[i + 1]))
        row[i:i + 2] = [n + len(children) - 1]
    return np.array(children, dtype=np.int64).reshape(-1, 2)


def left_branching(n):
    """(((0 1) 2) 3) ...: a recurrent network's tree."""
    return np.array([(0, 1)] + [(n + k - 1, k + 1) for k in range(1, n - 1)], dtype=np.int64).reshape(-1, 2)


def right_branching(n):
    """0 (1 (2 (... (n-2 n-1)))): node n joins the last two leaves."""
    return np.array([(n - 2, n - 1)] + [(n - 2 - k, n + k - 1) for k in range(1, n - 1)],
                    dtype=np.int64).reshape(-1, 2)


def postorder(children):
    """The same tree with its internal nodes renumbered in post-order (as parse_tree numbers them)."""
    n = len(children) + 1
    order = []

    def visit(node):
        if node >= n:
            visit(children[node - n][0])
            visit(children[node - n][1])
            order.append(node)
    visit(2 * n - 2)
    new = {old: n + k for k, old in enumerate(order)}
    new.update({i: i for i in range(n)})
    return np.array([(new[children[old - n][0]], new[children[old - n][1]]) for old in order],
                    dtype=np.int64).reshape(-1, 2)


def bracketed(children, words, glued=False):
    """The bracketed string of a tree whose leaves are the given words.

    glued: no space next to a bracket, "((the cat)(sat down))"; two words
    side by side still need one.
    """
    n = len(words)

    def text(node):
        if node < n:
            return words[node]
        left, right = (text(child) for child in children[node - n])
        space = "" if glued and (left.endswith(")") or right.startswith("(")) else " "
        return f"({left}{space}{right})"
    return text(2 * n - 2)


def sentence(rng, n, repeat=False):
    """n words from WORDS; with repeat, one word is used at least three times."""
    words = list(rng.choice(WORDS, n))
    if repeat:
        for i in rng.choice(n, 3, replace=False):
            words[i] = "the"
    return [str(w) for w in words]


# ----------------------------------------------------------------- parse_tree
def parse_visible(rng):
    return [Case('"((the cat) (sat (on (the mat))))"', ("((the cat) (sat (on (the mat))))", VOCAB)),
            Case('"(a (big wolf))", a word not in vocab -> unknown=0', ("(a (big wolf))", VOCAB))]


def parse_hidden(rng):
    random = random_tree(rng, 9)
    words = sentence(rng, 9, repeat=True)
    glued = bracketed(random_tree(rng, 7), sentence(rng, 7), glued=True)
    return [Case("a random bracketing of 9 words, one word three times",
                 (bracketed(random, words), VOCAB)),
            Case("right-branching, 12 words", (bracketed(right_branching(12), sentence(rng, 12)), VOCAB)),
            Case("left-branching, 10 words", (bracketed(left_branching(10), sentence(rng, 10)), VOCAB)),
            Case("a single word, no brackets", (str(rng.choice(WORDS)), VOCAB)),
            Case("brackets glued to each other and to words", (glued, VOCAB)),
            Case("tabs, new lines and extra spaces",
                 (" ( (the \t cat)\n  ( sat  (on (the mat)) ) ) ", VOCAB)),
            Case("unknown words with unknown=len(vocab)",
                 (bracketed(random_tree(rng, 8), sentence(rng, 5) + ["zebra", "ran", "off"]), VOCAB),
                 {"unknown": len(VOCAB)}),
            Case("a balanced tree of 16 words",
                 (bracketed(balanced(16), sentence(rng, 16)), VOCAB))]


def balanced(n):
    """Pair neighbours level by level: ((0 1) (2 3)) ((4 5) (6 7)) ..."""
    row, children = list(range(n)), []
    while len(row) > 1:
        merged = []
        for i in range(0, len(row) - 1, 2):
            children.append((row[i], row[i + 1]))
            merged.append(n + len(children) - 1)
        row = merged + row[len(row) - len(row) % 2:]
    return np.array(children, dtype=np.int64).reshape(-1, 2)


# -------------------------------------------------------------- the network
def parameters(rng, vocab_size, d, scale=1.0):
    """E ~ N(0, 1/2), W ~ N(0, scale^2 / 2d), b ~ N(0, 1/4)."""
    return (rng.normal(0, 0.5, (vocab_size, d)), rng.normal(0, scale / np.sqrt(2 * d), (2 * d, d)),
            rng.normal(0, 0.5, d))


def network(rng, children, d, vocab_size=12, scale=1.0, tokens=None):
    """(tokens, children, E, W, b) for a tree given as children."""
    n = len(children) + 1
    if tokens is None:
        tokens = rng.permutation(vocab_size)[:n] if n <= vocab_size else rng.integers(0, vocab_size, n)
    return (np.asarray(tokens, dtype=np.int64), children, *parameters(rng, vocab_size, d, scale))


def example(rng, d=3):
    """The chapter's sentence: the cat sat on the mat (the twice)."""
    tokens, children = oracle().call(ref.parse_tree, "((the cat) (sat (on (the mat))))", VOCAB)
    return network(rng, children, d, len(VOCAB), tokens=tokens)


def one_leaf(rng, d):
    return network(rng, np.zeros((0, 2), dtype=np.int64), d, 5)


def repeated(rng, n, d):
    """A random tree whose words are drawn from only 3 ids: every id several times."""
    return network(rng, random_tree(rng, n), d, 6, tokens=rng.integers(0, 3, n))


def forward_visible(rng):
    return [Case("((the cat) (sat (on (the mat)))), d = 3", example(rng)),
            Case("a random bracketing of 5 words, d = 2", network(rng, random_tree(rng, 5), 2))]


def forward_hidden(rng):
    return [Case("a random bracketing of 12 words, rows not in post-order, d = 5",
                 network(rng, random_tree(rng, 12), 5, 20)),
            Case("left-branching, 15 words, d = 3", network(rng, left_branching(15), 3, 20)),
            Case("right-branching, 8 words, d = 6", network(rng, right_branching(8), 6)),
            Case("a one-word tree, d = 4", one_leaf(rng, 4)),
            Case("d = 1, 6 words", network(rng, random_tree(rng, 6), 1)),
            Case("large weights: saturated tanh", network(rng, random_tree(rng, 7), 4, scale=8.0)),
            Case("words used several times, d = 7", repeated(rng, 9, 7))]


def with_grad(rng, case_args):
    d = case_args[3].shape[1]
    return (*case_args, rng.normal(0, 1, d))


def backward_visible(rng):
    return [Case("((the cat) (sat (on (the mat)))), d = 3", with_grad(rng, example(rng))),
            Case("a random bracketing of 5 words, d = 2",
                 with_grad(rng, network(rng, random_tree(rng, 5), 2)))]


def backward_hidden(rng):
    return [Case("a random bracketing of 12 words, rows not in post-order, d = 5",
                 with_grad(rng, network(rng, random_tree(rng, 12), 5, 20))),
            Case("left-branching, 20 words, d = 3 (deep)",
                 with_grad(rng, network(rng, left_branching(20), 3, 25, scale=2.0))),
            Case("right-branching, 9 words, d = 6",
                 with_grad(rng, network(rng, right_branching(9), 6))),
            Case("a one-word tree, d = 4", with_grad(rng, one_leaf(rng, 4))),
            Case("words used several times, d = 5", with_grad(rng, repeated(rng, 10, 5))),
            Case("large weights: saturated tanh, d = 4",
                 with_grad(rng, network(rng, random_tree(rng, 7), 4, scale=4.0))),
            Case("a post-order tree of 11 words, d = 7, a vocabulary of 30",
                 with_grad(rng, network(rng, postorder(random_tree(rng, 11)), 7, 30)))]


def with_classifier(rng, case_args, K, label=None, scale=1.0):
    d = case_args[3].shape[1]
    label = int(rng.integers(K)) if label is None else label
    return (*case_args, rng.normal(0, scale / np.sqrt(d), (d, K)), rng.normal(0, 0.5, K), label)


def gradients_visible(rng):
    return [Case("((the cat) (sat (on (the mat)))), d = 3, 2 classes, label 1",
                 with_classifier(rng, example(rng), 2, label=1))]


def gradients_hidden(rng):
    return [Case("a random bracketing of 10 words, d = 5, 3 classes",
                 with_classifier(rng, network(rng, random_tree(rng, 10), 5, 15), 3)),
            Case("left-branching, 8 words, d = 4, 5 classes, label 0",
                 with_classifier(rng, network(rng, left_branching(8), 4), 5, label=0)),
            Case("right-branching, 7 words, d = 6, 4 classes, the last label",
                 with_classifier(rng, network(rng, right_branching(7), 6), 4, label=3)),
            Case("a one-word tree, d = 3, 3 classes", with_classifier(rng, one_leaf(rng, 3), 3)),
            Case("words used several times, d = 4, 2 classes",
                 with_classifier(rng, repeated(rng, 9, 4), 2)),
            Case("huge classifier weights: logits of a thousand (use a stable log-softmax)",
                 with_classifier(rng, network(rng, random_tree(rng, 6), 4), 3, scale=2000.0))]


FORWARD_HINT = ("H[:n] = E[tokens]; then for k, (l, r) in enumerate(children): "
                "H[n + k] = tanh(concatenate([H[l], H[r]]) @ W + b), left child first")
BACKWARD_HINT = ("go through children in reverse; delta = g * (1 - p**2) with p the node's tanh "
                 "output; dW and db add up over every internal node; the two halves of W @ delta "
                 "go to the left and right child")

CHECKS = [
    Check("parse_tree", "parse_tree", 1, VISIBLE, parse_visible, ref.parse_tree, 0.0, 0.0,
          hint="split on white space after padding the brackets with spaces; leaves left to right, "
          "internal nodes numbered n, n+1, ... as their ')' appears, children as (left, right)"),
    Check("parse_tree_hidden", "parse_tree", 2, HIDDEN, parse_hidden, ref.parse_tree, 0.0, 0.0,
          hint="brackets may touch words and each other, any white space separates words, a "
          "single word is a tree with children of shape (0, 2), and unknown words get `unknown`"),
    Check("tree_forward", "tree_forward", 2, VISIBLE, forward_visible, ref.tree_forward,
          ATOL, RTOL, hint=FORWARD_HINT),
    Check("tree_forward_hidden", "tree_forward", 3, HIDDEN, forward_hidden, ref.tree_forward,
          ATOL, RTOL, hint=FORWARD_HINT + "; follow the rows of children in the given order, "
          "whatever the tree's shape, and return all 2n - 1 rows"),
    Check("tree_backward", "tree_backward", 2, VISIBLE, backward_visible, ref.tree_backward,
          ATOL, RTOL, hint=BACKWARD_HINT),
    Check("tree_backward_hidden", "tree_backward", 4, HIDDEN, backward_hidden, ref.tree_backward,
          ATOL, RTOL, hint=BACKWARD_HINT + "; a word at several leaves gets the sum of their "
          "gradients (np.add.at); a one-word tree passes grad_root straight to its word"),
    Check("tree_gradients", "tree_gradients", 2, VISIBLE, gradients_visible, ref.tree_gradients,
          ATOL, RTOL, hint="loss = logsumexp(z) - z[label] with z = root @ W_out + b_out; the "
          "gradient at the logits is softmax(z) - onehot(label); the root gets it times W_out.T"),
    Check("tree_gradients_hidden", "tree_gradients", 3, HIDDEN, gradients_hidden,
          ref.tree_gradients, ATOL, RTOL,
          hint="subtract max(z) before exponentiating; return (loss, dE, dW, db, dW_out, db_out) "
          "in that order, each gradient with its parameter's shape"),
]
