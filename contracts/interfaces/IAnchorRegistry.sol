// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IAnchorRegistry
/// @notice Append-only logs and their anchored checkpoints (spec §4). Every checkpoint after a log's first
///         is accepted only with an RFC 9162 consistency proof from the previous one, verified on-chain, so no
///         one, the operator included, can anchor a fork or a rewrite of a log.
interface IAnchorRegistry {
    /// @notice A log was registered with its operator.
    /// @param logId keccak256(utf8(logName)).
    /// @param operator The account that anchors the log's checkpoints.
    event LogRegistered(bytes32 indexed logId, address indexed operator);
    /// @notice A log's operator was replaced (for example after a key compromise).
    /// @param logId The log.
    /// @param previousOperator The operator replaced.
    /// @param operator The new operator.
    event LogOperatorChanged(bytes32 indexed logId, address indexed previousOperator, address indexed operator);
    /// @notice A checkpoint was anchored.
    /// @param logId The log.
    /// @param treeSize The new checkpoint's tree size.
    /// @param rootHash Its RFC 9162 root.
    /// @param previousTreeSize The tree size of the checkpoint it extends (0 for a log's first).
    event CheckpointAnchored(bytes32 indexed logId, uint64 treeSize, bytes32 rootHash, uint64 previousTreeSize);

    /// @notice The caller does not hold DEFAULT_ADMIN_ROLE in the ParticipantRegistry.
    error AnchorRegistryNotAdmin(address caller);
    /// @notice A log with this id is already registered.
    error AnchorRegistryLogAlreadyRegistered(bytes32 logId);
    /// @notice No log with this id is registered.
    error AnchorRegistryUnknownLog(bytes32 logId);
    /// @notice The account does not hold LOG_OPERATOR in the ParticipantRegistry.
    error AnchorRegistryOperatorNotLogOperator(address operator);
    /// @notice The caller is not the log's operator.
    error AnchorRegistryNotOperator(bytes32 logId, address caller);
    /// @notice The new checkpoint's tree size is not larger than the previous checkpoint's.
    error AnchorRegistryTreeSizeNotGrowing(bytes32 logId, uint64 previousTreeSize, uint64 treeSize);
    /// @notice A checkpoint root may not be zero (zero means "never anchored" to readers).
    error AnchorRegistryZeroRoot(bytes32 logId, uint64 treeSize);
    /// @notice The consistency proof does not show the new checkpoint extends the previous one.
    error AnchorRegistryInconsistentCheckpoint(
        bytes32 logId, uint64 previousTreeSize, bytes32 previousRootHash, uint64 treeSize, bytes32 rootHash
    );

    /// @notice Registers a log and its operator. Admin only; the operator must hold LOG_OPERATOR.
    /// @param logId keccak256(utf8(logName)).
    /// @param operator The account that anchors the log's checkpoints.
    function registerLog(bytes32 logId, address operator) external;

    /// @notice Replaces a log's operator. Admin only; the new operator must hold LOG_OPERATOR.
    /// @param logId The log.
    /// @param operator The new operator.
    function setOperator(bytes32 logId, address operator) external;

    /// @notice Anchors checkpoint (treeSize, rootHash) of a log. Operator only, and the operator must still hold
    ///         LOG_OPERATOR. The first checkpoint needs an empty proof; every later one an RFC 9162 consistency
    ///         proof from the previous anchored checkpoint.
    /// @param logId The log.
    /// @param treeSize The number of leaves, larger than the previous checkpoint's.
    /// @param rootHash The RFC 9162 root of the first `treeSize` leaves.
    /// @param consistencyProof The consistency proof from the previous checkpoint.
    function anchor(bytes32 logId, uint64 treeSize, bytes32 rootHash, bytes32[] calldata consistencyProof) external;

    /// @notice The newest anchored checkpoint of a log (zeros if none).
    /// @param logId The log.
    /// @return treeSize Its tree size.
    /// @return rootHash Its root.
    /// @return blockNumber The block it was anchored in.
    function latestCheckpoint(bytes32 logId) external view returns (uint64 treeSize, bytes32 rootHash, uint64 blockNumber);

    /// @notice The root anchored for a log at a tree size.
    /// @param logId The log.
    /// @param treeSize The tree size.
    /// @return The root, or zero if that size was never anchored.
    function rootAt(bytes32 logId, uint64 treeSize) external view returns (bytes32);

    /// @notice The block in which a log's checkpoint at a tree size was anchored.
    /// @param logId The log.
    /// @param treeSize The tree size.
    /// @return blockNumber The block number, or zero if that size was never anchored.
    function anchoredAt(bytes32 logId, uint64 treeSize) external view returns (uint64 blockNumber);

    /// @notice The operator of a log.
    /// @param logId The log.
    /// @return The operator, or the zero address for an unknown log.
    function operatorOf(bytes32 logId) external view returns (address);
}
