def softmax(z):
    while True:
        pass
