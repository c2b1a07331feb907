// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IAnchorRegistry} from "./interfaces/IAnchorRegistry.sol";
import {RFC9162} from "./libraries/RFC9162.sol";

/// @title AnchorRegistry
/// @notice Logs and their checkpoints; each checkpoint after the first is verified on-chain against the
///         previous one with an RFC 9162 consistency proof (spec §3–4).
contract AnchorRegistry is IAnchorRegistry {
    struct Log {
        address operator;
        uint64 treeSize;
    }

    struct Checkpoint {
        bytes32 rootHash;
        uint64 blockNumber;
    }

    bytes32 private constant _DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 private constant _LOG_OPERATOR = keccak256("LOG_OPERATOR");

    /// @notice The ParticipantRegistry that holds the admin and the LOG_OPERATOR role.
    IAccessControl public immutable participants;

    mapping(bytes32 logId => Log log) private _logs;
    mapping(bytes32 logId => mapping(uint64 treeSize => Checkpoint)) private _checkpoints;

    /// @notice Binds the registry to the ParticipantRegistry it takes its admin and log operators from.
    /// @param participantRegistry The ParticipantRegistry whose admin and LOG_OPERATOR role this contract trusts.
    constructor(IAccessControl participantRegistry) {
        participants = participantRegistry;
    }

    /// @inheritdoc IAnchorRegistry
    function registerLog(bytes32 logId, address operator) external {
        _checkAdmin();
        if (_logs[logId].operator != address(0)) revert AnchorRegistryLogAlreadyRegistered(logId);
        _checkLogOperator(operator);
        _logs[logId].operator = operator;
        emit LogRegistered(logId, operator);
    }

    /// @inheritdoc IAnchorRegistry
    function setOperator(bytes32 logId, address operator) external {
        _checkAdmin();
        Log storage log = _logs[logId];
        address previous = log.operator;
        if (previous == address(0)) revert AnchorRegistryUnknownLog(logId);
        _checkLogOperator(operator);
        log.operator = operator;
        emit LogOperatorChanged(logId, previous, operator);
    }

    /// @inheritdoc IAnchorRegistry
    function anchor(bytes32 logId, uint64 treeSize, bytes32 rootHash, bytes32[] calldata consistencyProof) external {
        Log storage log = _logs[logId];
        address operator = log.operator;
        if (operator == address(0)) revert AnchorRegistryUnknownLog(logId);
        if (msg.sender != operator || !participants.hasRole(_LOG_OPERATOR, msg.sender)) {
            revert AnchorRegistryNotOperator(logId, msg.sender);
        }
        uint64 previousTreeSize = log.treeSize;
        if (treeSize <= previousTreeSize) revert AnchorRegistryTreeSizeNotGrowing(logId, previousTreeSize, treeSize);
        if (rootHash == bytes32(0)) revert AnchorRegistryZeroRoot(logId, treeSize);
        bytes32 previousRootHash = _checkpoints[logId][previousTreeSize].rootHash;
        // The first checkpoint extends the empty tree, which takes no proof; a proof offered for it is refused.
        bool consistent = previousTreeSize == 0
            ? consistencyProof.length == 0
            : RFC9162.verifyConsistency(previousTreeSize, treeSize, previousRootHash, rootHash, consistencyProof);
        if (!consistent) {
            revert AnchorRegistryInconsistentCheckpoint(logId, previousTreeSize, previousRootHash, treeSize, rootHash);
        }
        log.treeSize = treeSize;
        _checkpoints[logId][treeSize] = Checkpoint({rootHash: rootHash, blockNumber: uint64(block.number)});
        emit CheckpointAnchored(logId, treeSize, rootHash, previousTreeSize);
    }

    /// @inheritdoc IAnchorRegistry
    function latestCheckpoint(bytes32 logId) external view returns (uint64 treeSize, bytes32 rootHash, uint64 blockNumber) {
        treeSize = _logs[logId].treeSize;
        Checkpoint storage checkpoint = _checkpoints[logId][treeSize];
        return (treeSize, checkpoint.rootHash, checkpoint.blockNumber);
    }

    /// @inheritdoc IAnchorRegistry
    function rootAt(bytes32 logId, uint64 treeSize) external view returns (bytes32) {
        return _checkpoints[logId][treeSize].rootHash;
    }

    /// @inheritdoc IAnchorRegistry
    function anchoredAt(bytes32 logId, uint64 treeSize) external view returns (uint64 blockNumber) {
        return _checkpoints[logId][treeSize].blockNumber;
    }

    /// @inheritdoc IAnchorRegistry
    function operatorOf(bytes32 logId) external view returns (address) {
        return _logs[logId].operator;
    }

    function _checkAdmin() private view {
        if (!participants.hasRole(_DEFAULT_ADMIN_ROLE, msg.sender)) revert AnchorRegistryNotAdmin(msg.sender);
    }

    function _checkLogOperator(address operator) private view {
        if (!participants.hasRole(_LOG_OPERATOR, operator)) revert AnchorRegistryOperatorNotLogOperator(operator);
    }
}
