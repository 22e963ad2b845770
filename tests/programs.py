"""Control-flow programs shared by the frontend tests (run through the untyped-IR interpreter)
and the end-to-end tests (compiled): each must give exactly what CPython gives."""
import math


def damped(x, n):
    s = 0.0
    i = 0
    while i < n:
        if i % 3 == 0 and x > 0:
            s += math.sin(x * i)
        elif i % 3 == 1:
            s -= math.sqrt(abs(x) + i)
        else:
            s = s * 0.5 if s > 1 else s + 1
        i += 1
    return s


def last_index(n):
    i = -1
    for i in range(n):
        pass
    return i


def while_else(n):
    i = 0
    while i < n:
        i += 2
        if i == 7:
            break
    else:
        i = -i
    return i


def continue_odd(n):
    s = 0
    for i in range(n):
        if i % 2:
            continue
        s += i
    return s


def early_return(n):
    for i in range(n):
        for j in range(n):
            if i * j > 12:
                return i - j
    return -1


def return_in_while(x):
    while True:
        x = x * 0.5
        if x < 1.0:
            return x


def nested_flags(n):
    total = 0
    i = 0
    while i < n:
        i += 1
        if i % 5 == 0:
            continue
        j = 0
        while True:
            j += 1
            if j > i:
                break
            if (i + j) % 7 == 0:
                continue
            total += j
    return total


def elif_chain(x):
    if x < -1:
        r = 1
    elif x < 0:
        r = 2
    elif x == 0:
        r = 3
    else:
        r = 4
    return r


def newton_sqrt(a):
    x = a
    for _ in range(100):
        nx = 0.5 * (x + a / x)
        if abs(nx - x) < 1e-15:
            break
        x = nx
    return x
