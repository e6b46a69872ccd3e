"""The compiler from schemas/ (policy, YAML) to build/ (artifacts the runtime serves)."""

from generator.compiler import compile_schemas, write_build

__all__ = ["compile_schemas", "write_build"]
