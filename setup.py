"""Builds the optional C inner loop of the weak-secret audit; pyproject.toml holds the metadata.

``optional=True``: without a compiler or the OpenSSL headers (Debian: gcc, libssl-dev) the
install still succeeds and ``jwtdesk audit`` uses its pure-Python path (and says so).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "jwtdesk.core._hmacscan",
            sources=["jwtdesk/core/_hmacscan.c"],
            libraries=["crypto"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
