def relu(x):
    square = np.zeros((2, 2))
    return np.linalg.inv(square) @ x
