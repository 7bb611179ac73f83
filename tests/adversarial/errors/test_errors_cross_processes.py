"""Attack: an SDK error raised in a worker process (or deep-copied) loses its type or fields,
or breaks the pool. Every public error class is built the way the SDK builds it, then sent
through ``pickle``, ``copy.deepcopy`` and a real ``ProcessPoolExecutor``."""

from __future__ import annotations

import copy
import inspect
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import lucidgreen
from lucidgreen import errors

# A value for every keyword an error's __init__ may require, by name.
_SAMPLES: dict[str, Any] = {
    "status": 503,
    "body": '{"detail": "x"}',
    "data": {"detail": "x"},
    "headers": {"Retry-After": "3", "X-Request-ID": "rid"},
    "request_id": "rid",
    "method": "POST",
    "url": "https://api.example/api/v1.2/x/",
    "request_sent": True,
    "return_code": -1,
    "retry_after": 3.0,
    "reason": "bad field",
    "order_id": "order-1",
    "text": "<html>",
}


def _build(cls: type[BaseException]) -> BaseException:
    """An instance of ``cls`` with every keyword it (or a base it passes ``**kwargs`` to)
    accepts filled from ``_SAMPLES``."""
    kwargs: dict[str, Any] = {}
    for klass in cls.__mro__:
        if "__init__" not in vars(klass):
            continue
        try:
            parameters = inspect.signature(vars(klass)["__init__"]).parameters
        except ValueError:  # a builtin's __init__ (Exception): nothing more to fill
            break
        for name, parameter in parameters.items():
            if parameter.kind is parameter.KEYWORD_ONLY and name not in kwargs:
                kwargs[name] = _SAMPLES.get(name, ("value",))
        if not any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            break
    return cls("something failed", **kwargs)


ERROR_CLASSES = sorted(
    (
        obj
        for name in errors.__all__
        if isinstance(obj := getattr(errors, name), type) and issubclass(obj, BaseException)
    ),
    key=lambda cls: cls.__name__,
)


def _same(a: BaseException, b: BaseException) -> None:
    assert type(a) is type(b)
    assert str(a) == str(b)
    assert a.args == b.args
    assert {k: repr(v) for k, v in vars(a).items()} == {k: repr(v) for k, v in vars(b).items()}


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_public_error_survives_pickle_and_deepcopy(cls: type[BaseException]) -> None:
    error = _build(cls)
    _same(error, pickle.loads(pickle.dumps(error)))
    _same(error, copy.deepcopy(error))


def _raise_not_found() -> None:
    raise lucidgreen.NotFound("HTTP 404", status=404, body='{"detail": "Not found."}')


def test_a_404_in_a_process_pool_worker_arrives_intact() -> None:
    """One 404 in a worker neither breaks the pool nor loses its type and fields."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_raise_not_found)
        with pytest.raises(lucidgreen.NotFound) as caught:
            future.result(timeout=60)
        assert caught.value.status == 404
        assert caught.value.body == '{"detail": "Not found."}'
        assert pool.submit(int, "7").result(timeout=60) == 7  # the pool still works
