"""Who a client is: the one address that the login lockout (django-axes), the login rate
and the API throttles all count by.

PARLEY_TRUSTED_PROXIES reverse proxies stand in front of Parley, each appending the address
it saw to X-Forwarded-For; with N, the Nth entry from the right is the client (entries
further left are whatever the client sent). That header is believed only from a peer
inside PARLEY_PROXY_NETWORKS and only when it holds at least N entries; otherwise the TCP
peer (REMOTE_ADDR) is the client. An IPv6 client counts by its /64, which one subscriber
usually holds whole, so rotating addresses inside it changes nothing.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

log = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(raw: str) -> Address | None:
    """An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
    `[2001:db8::1]` or `[2001:db8::1]:443`; an IPv4-mapped IPv6 address as its IPv4."""
    text = raw.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _bucket(address: Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _from_a_proxy(peer: Address) -> bool:
    networks: list[Network] = settings.PARLEY_PROXY_NETWORKS
    return any(peer.version == network.version and peer in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The client's address (an IPv6 one as its /64), or the raw REMOTE_ADDR when even
    that is no address (a test or a Unix socket)."""
    raw_peer = request.META.get("REMOTE_ADDR") or ""
    peer = parse_address(raw_peer)
    if peer is None:
        log.warning("REMOTE_ADDR %r is no IP address; counting the client by it as is", raw_peer)
        return raw_peer or None
    proxies: int = settings.PARLEY_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies == 0 or not forwarded or not _from_a_proxy(peer):
        return _bucket(peer)
    chain = forwarded.split(",")
    if len(chain) < proxies:
        log.warning(
            "X-Forwarded-For %r has fewer than PARLEY_TRUSTED_PROXIES=%d entries; "
            "counting the client as the peer %s",
            forwarded,
            proxies,
            peer,
        )
        return _bucket(peer)
    client = parse_address(chain[-proxies])
    if client is None:
        log.warning(
            "X-Forwarded-For entry %r is no IP address; counting the client as the peer %s",
            chain[-proxies],
            peer,
        )
        return _bucket(peer)
    return _bucket(client)
