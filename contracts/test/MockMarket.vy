# pragma version ~=0.4.3
"""
@title Mock Market (tests only)
@license MIT
@notice Holds orders set by the tests and serves `order_of` / `locked_of` like the Market.
@dev No access control: never deploy outside tests.
"""

from ..interfaces import IMarket

orders: HashMap[bytes32, IMarket.Order]
locked: HashMap[address, uint256]


@external
def set_order(order_id: bytes32, order: IMarket.Order):
    """
    @notice Store an order as the Market would after both sides signed it.
    @param order_id The order id.
    @param order The order.
    """
    self.orders[order_id] = order


@external
def set_locked(provider: address, amount: uint256):
    """
    @notice Set a Provider's locked stake.
    @param provider The Provider.
    @param amount The locked amount.
    """
    self.locked[provider] = amount


@external
@view
def order_of(order_id: bytes32) -> IMarket.Order:
    """
    @notice An order by id (all fields zero if unknown).
    @param order_id The order id.
    @return The order.
    """
    return self.orders[order_id]


@external
@view
def locked_of(provider: address) -> uint256:
    """
    @notice A Provider's locked stake.
    @param provider The Provider.
    @return The locked amount.
    """
    return self.locked[provider]
