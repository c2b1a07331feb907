// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IAnchorRegistry} from "./interfaces/IAnchorRegistry.sol";
import {HeadsMap} from "./libraries/HeadsMap.sol";
import {RFC9162} from "./libraries/RFC9162.sol";

/// @title AnchorRegistry
/// @notice Logs and their checkpoints; each checkpoint after the first is verified on-chain against the
///         previous one with an RFC 9162 consistency proof (spec §3–4), and anyone may prove the operator's
///         misbehaviour against them (spec §4.1).
contract AnchorRegistry is IAnchorRegistry, EIP712 {
    struct Log {
        // operator, checkpointCount and compromised share one slot: all of the log that anchor() reads.
        address operator;
        uint32 checkpointCount;
        bool compromised;
        uint64 compromisedAt;
    }

    struct Roots {
        bytes32 rootHash;
        bytes32 headsRoot;
    }

    /// @dev The tree sizes and blocks of checkpoints 2i and 2i + 1 of a log, in anchoring order. Beyond its two roots
    ///      a checkpoint has 16 bytes to keep; two checkpoints share a slot, so only every other anchor() pays for a
    ///      fresh one (spec §4: anchor() gas stays near v1 with the heads root added).
    struct CheckpointPair {
        uint64 treeSize0;
        uint64 blockNumber0;
        uint64 treeSize1;
        uint64 blockNumber1;
    }

    bytes32 private constant _DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 private constant _LOG_OPERATOR = keccak256("LOG_OPERATOR");
    bytes32 private constant _TREE_HEAD_TYPEHASH =
        keccak256("TreeHead(bytes32 logId,uint64 treeSize,bytes32 rootHash,uint64 timestamp)");

    /// @notice The ParticipantRegistry that holds the admin and the LOG_OPERATOR role.
    IAccessControl public immutable participants;

    mapping(bytes32 logId => Log log) private _logs;
    mapping(bytes32 logId => mapping(uint64 treeSize => Roots roots)) private _roots;
    mapping(bytes32 logId => mapping(uint256 pairIndex => CheckpointPair pair)) private _checkpointPairs;

    /// @notice Binds the registry to the ParticipantRegistry it takes its admin and log operators from.
    /// @param participantRegistry The ParticipantRegistry whose admin and LOG_OPERATOR role this contract trusts.
    ///        Tree heads are signed under the EIP-712 domain ("BorderLedger", "1", this chain, this contract): the
    ///        name and version of events (spec §2.2), with this contract as verifying contract (spec §3.1).
    constructor(IAccessControl participantRegistry) EIP712("BorderLedger", "1") {
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
    function anchor(bytes32 logId, uint64 treeSize, bytes32 rootHash, bytes32 headsRoot, bytes32[] calldata consistencyProof)
        external
    {
        Log storage log = _logs[logId];
        address operator = log.operator;
        if (operator == address(0)) revert AnchorRegistryUnknownLog(logId);
        if (msg.sender != operator || !participants.hasRole(_LOG_OPERATOR, msg.sender)) {
            revert AnchorRegistryNotOperator(logId, msg.sender);
        }
        if (log.compromised) revert AnchorRegistryLogIsCompromised(logId, log.compromisedAt);
        uint32 count = log.checkpointCount;
        (uint64 previousTreeSize,) = count == 0 ? (uint64(0), uint64(0)) : _checkpointEntry(logId, count - 1);
        if (treeSize <= previousTreeSize) revert AnchorRegistryTreeSizeNotGrowing(logId, previousTreeSize, treeSize);
        if (rootHash == bytes32(0)) revert AnchorRegistryZeroRoot(logId, treeSize);
        if (headsRoot == bytes32(0)) revert AnchorRegistryZeroHeadsRoot(logId, treeSize);
        bytes32 previousRootHash = _roots[logId][previousTreeSize].rootHash;
        // The first checkpoint extends the empty tree, which takes no proof; a proof offered for it is refused.
        bool consistent = previousTreeSize == 0
            ? consistencyProof.length == 0
            : RFC9162.verifyConsistency(previousTreeSize, treeSize, previousRootHash, rootHash, consistencyProof);
        if (!consistent) {
            revert AnchorRegistryInconsistentCheckpoint(logId, previousTreeSize, previousRootHash, treeSize, rootHash);
        }
        log.checkpointCount = count + 1;
        _roots[logId][treeSize] = Roots({rootHash: rootHash, headsRoot: headsRoot});
        CheckpointPair storage pair = _checkpointPairs[logId][count >> 1];
        if (count & 1 == 0) (pair.treeSize0, pair.blockNumber0) = (treeSize, uint64(block.number));
        else (pair.treeSize1, pair.blockNumber1) = (treeSize, uint64(block.number));
        emit CheckpointAnchored(logId, treeSize, rootHash, headsRoot, previousTreeSize);
    }

    /// @inheritdoc IAnchorRegistry
    function proveOmission(
        bytes32 logId,
        Leaf calldata leaf,
        uint64 leafIndex,
        uint64 inTreeSize,
        bytes32[] calldata inclusionProof,
        uint64 mapTreeSize,
        HeadsMap.HeadProof calldata headProof
    ) external {
        _checkOpen(logId);
        bytes32 key = headProof.key;
        if (key != leaf.shipmentKey) revert AnchorRegistryHeadProofKeyMismatch(logId, key, leaf.shipmentKey);
        bytes32 rootHash = _anchored(logId, inTreeSize).rootHash;
        if (mapTreeSize < inTreeSize) revert AnchorRegistryMapBeforeLeaf(logId, inTreeSize, mapTreeSize);
        bytes32 headsRoot = _anchored(logId, mapTreeSize).headsRoot;
        _checkIncluded(logId, leafIndex, inTreeSize, _leafHash(leaf), inclusionProof, rootHash);
        _checkHeadProof(logId, mapTreeSize, headProof, headsRoot);
        // The map at mapTreeSize covers the leaf, so the shipment's head there has at least the leaf's seq.
        if (headProof.kind == HeadsMap.KIND_HEAD && headProof.seq >= leaf.seq) {
            revert AnchorRegistryNoOmission(logId, key, headProof.seq, leaf.seq);
        }
        _compromise(logId, "omission");
    }

    /// @inheritdoc IAnchorRegistry
    function proveFalseHead(
        bytes32 logId,
        uint64 mapTreeSize,
        HeadsMap.HeadProof calldata headProof,
        Leaf calldata leaf,
        bytes32[] calldata inclusionProof
    ) external {
        _checkOpen(logId);
        Roots storage checkpoint = _anchored(logId, mapTreeSize);
        _checkHeadProof(logId, mapTreeSize, headProof, checkpoint.headsRoot);
        bytes32 key = headProof.key;
        if (headProof.kind != HeadsMap.KIND_HEAD) revert AnchorRegistryNoHead(logId, mapTreeSize, key);
        uint64 leafIndex = headProof.leafIndex;
        // A head at or past the end of the log points at no leaf the checkpoint holds: false on its face.
        if (leafIndex < mapTreeSize) {
            bytes32 leafHash = _leafHash(leaf);
            _checkIncluded(logId, leafIndex, mapTreeSize, leafHash, inclusionProof, checkpoint.rootHash);
            if (leafHash == headProof.leafHash && leaf.shipmentKey == key && leaf.seq == headProof.seq) {
                revert AnchorRegistryHeadNotFalse(logId, key, leafIndex);
            }
        }
        _compromise(logId, "false-head");
    }

    /// @inheritdoc IAnchorRegistry
    function proveDuplicateSeq(
        bytes32 logId,
        uint64 treeSize,
        Leaf calldata leafA,
        uint64 indexA,
        bytes32[] calldata proofA,
        Leaf calldata leafB,
        uint64 indexB,
        bytes32[] calldata proofB
    ) external {
        _checkOpen(logId);
        bytes32 rootHash = _anchored(logId, treeSize).rootHash;
        if (indexA == indexB) revert AnchorRegistrySameLeafIndex(logId, indexA);
        _checkIncluded(logId, indexA, treeSize, _leafHash(leafA), proofA, rootHash);
        _checkIncluded(logId, indexB, treeSize, _leafHash(leafB), proofB, rootHash);
        if (leafA.shipmentKey != leafB.shipmentKey || leafA.seq != leafB.seq) {
            revert AnchorRegistryNotDuplicate(logId, indexA, indexB);
        }
        _compromise(logId, "duplicate-seq");
    }

    /// @inheritdoc IAnchorRegistry
    function proveEquivocation(
        bytes32 logId,
        TreeHead calldata treeHead,
        uint64 leafIndex,
        bytes32 leafHashA,
        bytes32[] calldata proofA,
        uint64 anchoredSize,
        bytes32 leafHashB,
        bytes32[] calldata proofB
    ) external {
        _checkOpen(logId);
        _checkTreeHeadSigned(logId, treeHead);
        bytes32 anchoredRoot = _anchored(logId, anchoredSize).rootHash;
        // Two roots of one size are two trees: no leaf needs to be shown.
        if (treeHead.treeSize != anchoredSize || treeHead.rootHash == anchoredRoot) {
            _checkIncludedInHead(logId, treeHead, leafIndex, leafHashA, proofA);
            _checkIncluded(logId, leafIndex, anchoredSize, leafHashB, proofB, anchoredRoot);
            if (leafHashA == leafHashB) revert AnchorRegistryNotEquivocation(logId, leafIndex);
        }
        _compromise(logId, "equivocation");
    }

    /// @inheritdoc IAnchorRegistry
    function latestCheckpoint(bytes32 logId)
        external
        view
        returns (uint64 treeSize, bytes32 rootHash, bytes32 headsRoot, uint64 blockNumber)
    {
        uint32 count = _logs[logId].checkpointCount;
        if (count == 0) return (0, bytes32(0), bytes32(0), 0);
        (treeSize, blockNumber) = _checkpointEntry(logId, count - 1);
        Roots storage roots = _roots[logId][treeSize];
        return (treeSize, roots.rootHash, roots.headsRoot, blockNumber);
    }

    /// @inheritdoc IAnchorRegistry
    function checkpointAt(bytes32 logId, uint64 treeSize)
        external
        view
        returns (bytes32 rootHash, bytes32 headsRoot, uint64 blockNumber)
    {
        Roots storage roots = _roots[logId][treeSize];
        if (roots.rootHash == bytes32(0)) return (bytes32(0), bytes32(0), 0);
        // Entries are in anchoring order, so in growing tree size: the first not below treeSize is its own.
        uint256 low = 0;
        uint256 high = _logs[logId].checkpointCount;
        while (low < high) {
            uint256 middle = (low + high) / 2;
            (uint64 size,) = _checkpointEntry(logId, middle);
            if (size < treeSize) low = middle + 1;
            else high = middle;
        }
        (, blockNumber) = _checkpointEntry(logId, low);
        return (roots.rootHash, roots.headsRoot, blockNumber);
    }

    /// @inheritdoc IAnchorRegistry
    function operatorOf(bytes32 logId) external view returns (address) {
        return _logs[logId].operator;
    }

    /// @inheritdoc IAnchorRegistry
    function compromisedAt(bytes32 logId) external view returns (uint64 blockNumber) {
        return _logs[logId].compromisedAt;
    }

    /// @inheritdoc IAnchorRegistry
    function treeHeadDigest(bytes32 logId, uint64 treeSize, bytes32 rootHash, uint64 timestamp)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(_TREE_HEAD_TYPEHASH, logId, treeSize, rootHash, timestamp)));
    }

    /// @dev Records the first proven misbehaviour of a log; callers have checked that it is not compromised yet.
    function _compromise(bytes32 logId, string memory reason) private {
        Log storage log = _logs[logId];
        log.compromised = true;
        log.compromisedAt = uint64(block.number);
        emit LogCompromised(logId, reason, msg.sender);
    }

    function _checkAdmin() private view {
        if (!participants.hasRole(_DEFAULT_ADMIN_ROLE, msg.sender)) revert AnchorRegistryNotAdmin(msg.sender);
    }

    function _checkLogOperator(address operator) private view {
        if (!participants.hasRole(_LOG_OPERATOR, operator)) revert AnchorRegistryOperatorNotLogOperator(operator);
    }

    /// @dev A misbehaviour proof needs a registered log that is not compromised yet: the first proof that holds
    ///      compromises it, and a later one would change nothing.
    function _checkOpen(bytes32 logId) private view {
        Log storage log = _logs[logId];
        if (log.operator == address(0)) revert AnchorRegistryUnknownLog(logId);
        if (log.compromised) revert AnchorRegistryLogIsCompromised(logId, log.compromisedAt);
    }

    /// @dev The checkpoint of a log at a tree size; reverts if that size was never anchored.
    function _anchored(bytes32 logId, uint64 treeSize) private view returns (Roots storage checkpoint) {
        checkpoint = _roots[logId][treeSize];
        if (checkpoint.rootHash == bytes32(0)) revert AnchorRegistryNotAnchored(logId, treeSize);
    }

    /// @dev The tree size and block of a log's checkpoint `index` (0 for its first), which must exist.
    function _checkpointEntry(bytes32 logId, uint256 index) private view returns (uint64 treeSize, uint64 blockNumber) {
        CheckpointPair storage pair = _checkpointPairs[logId][index >> 1];
        return index & 1 == 0 ? (pair.treeSize0, pair.blockNumber0) : (pair.treeSize1, pair.blockNumber1);
    }

    /// @dev Reverts unless the tree head is signed by the log's current operator.
    function _checkTreeHeadSigned(bytes32 logId, TreeHead calldata treeHead) private view {
        bytes32 digest = treeHeadDigest(logId, treeHead.treeSize, treeHead.rootHash, treeHead.timestamp);
        // An unreadable signature recovers to the zero address, which is never an operator.
        (address signer,,) = ECDSA.tryRecoverCalldata(digest, treeHead.signature);
        address operator = _logs[logId].operator;
        if (signer != operator) revert AnchorRegistryBadTreeHeadSignature(logId, signer, operator);
    }

    /// @dev Reverts unless `leafHash` is leaf `leafIndex` of the tree of `treeSize` leaves with root `rootHash`.
    function _checkIncluded(
        bytes32 logId,
        uint64 leafIndex,
        uint64 treeSize,
        bytes32 leafHash,
        bytes32[] calldata proof,
        bytes32 rootHash
    ) private pure {
        if (!RFC9162.verifyInclusion(leafIndex, treeSize, leafHash, proof, rootHash)) {
            revert AnchorRegistryNotIncluded(logId, leafIndex, treeSize);
        }
    }

    /// @dev Reverts unless `leafHash` is leaf `leafIndex` of the signed tree head's tree.
    function _checkIncludedInHead(
        bytes32 logId,
        TreeHead calldata treeHead,
        uint64 leafIndex,
        bytes32 leafHash,
        bytes32[] calldata proof
    ) private pure {
        _checkIncluded(logId, leafIndex, treeHead.treeSize, leafHash, proof, treeHead.rootHash);
    }

    /// @dev Reverts unless the head proof is well formed and leads to `headsRoot`.
    function _checkHeadProof(bytes32 logId, uint64 mapTreeSize, HeadsMap.HeadProof calldata headProof, bytes32 headsRoot)
        private
        pure
    {
        (bool wellFormed, bytes32 root) = HeadsMap.rootOf(headProof);
        if (!wellFormed || root != headsRoot) revert AnchorRegistryBadHeadProof(logId, mapTreeSize, headProof.key);
    }

    /// @dev The leaf hash of spec §3: SHA-256(0x00 || abi.encode(shipmentKey, seq, prevLeafHash, eventDigest, recordedAt)).
    function _leafHash(Leaf calldata leaf) private pure returns (bytes32) {
        return RFC9162.hashLeaf(abi.encode(leaf.shipmentKey, leaf.seq, leaf.prevLeafHash, leaf.eventDigest, leaf.recordedAt));
    }
}
