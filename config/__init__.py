"""Settings from the environment and the YAML file of sources and subscribers."""

from ieiwatch.config.loader import ConfigError, load_config
from ieiwatch.config.schema import AppConfig, Filters, SourceConfig, SubscriberConfig
from ieiwatch.config.settings import Settings

__all__ = [
    "AppConfig",
    "ConfigError",
    "Filters",
    "Settings",
    "SourceConfig",
    "SubscriberConfig",
    "load_config",
]
