// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {HeadsMap} from "../libraries/HeadsMap.sol";

/// @title IAnchorRegistry
/// @notice Append-only logs and their anchored checkpoints (spec §4). Every checkpoint after a log's first
///         is accepted only with an RFC 9162 consistency proof from the previous one, verified on-chain, so no
///         one, the operator included, can anchor a fork or a rewrite of a log. Each checkpoint also commits the
///         log's shipment heads map (spec §3.2). Anyone may put a proof of the operator's misbehaviour on-chain
///         (spec §4.1); once one holds, the log is compromised and takes no more checkpoints.
///         Tree heads are signed with EIP-712 (domain "BorderLedger", version "1", this chain, this contract):
///         TreeHead(bytes32 logId,uint64 treeSize,bytes32 rootHash,uint64 timestamp) (spec §3.1).
interface IAnchorRegistry {
    /// @notice A log leaf as its five fields (spec §3):
    ///         leafHash = SHA-256(0x00 || abi.encode(shipmentKey, seq, prevLeafHash, eventDigest, recordedAt)).
    /// @param shipmentKey keccak256(utf8(shipmentId)).
    /// @param seq The entry's seq in its shipment.
    /// @param prevLeafHash The leaf hash of the shipment's previous entry (zero for seq 0).
    /// @param eventDigest The event's EIP-712 digest.
    /// @param recordedAt When the node accepted the event, in ms.
    struct Leaf {
        bytes32 shipmentKey;
        uint64 seq;
        bytes32 prevLeafHash;
        bytes32 eventDigest;
        uint64 recordedAt;
    }

    /// @notice A tree head signed by a log's operator (spec §3.1).
    /// @param treeSize The number of leaves.
    /// @param rootHash The RFC 9162 root of those leaves.
    /// @param timestamp When the head was signed, in ms.
    /// @param signature The operator's 65-byte low-s signature of treeHeadDigest(logId, treeSize, rootHash, timestamp).
    struct TreeHead {
        uint64 treeSize;
        bytes32 rootHash;
        uint64 timestamp;
        bytes signature;
    }

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
    /// @param headsRoot The root of its shipment heads map.
    /// @param previousTreeSize The tree size of the checkpoint it extends (0 for a log's first).
    event CheckpointAnchored(bytes32 indexed logId, uint64 treeSize, bytes32 rootHash, bytes32 headsRoot, uint64 previousTreeSize);
    /// @notice A proof of the operator's misbehaviour held: the log is compromised from this block on.
    /// @param logId The log.
    /// @param reason What was proven: "omission", "false-head", "duplicate-seq" or "equivocation".
    /// @param reporter Who submitted the proof.
    event LogCompromised(bytes32 indexed logId, string reason, address indexed reporter);

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
    /// @notice A checkpoint's heads root may not be zero: a log with leaves has shipments, so its map is not empty.
    error AnchorRegistryZeroHeadsRoot(bytes32 logId, uint64 treeSize);
    /// @notice The consistency proof does not show the new checkpoint extends the previous one.
    error AnchorRegistryInconsistentCheckpoint(
        bytes32 logId, uint64 previousTreeSize, bytes32 previousRootHash, uint64 treeSize, bytes32 rootHash
    );
    /// @notice Misbehaviour was proven for the log: it takes no more checkpoints and no more proofs.
    error AnchorRegistryLogIsCompromised(bytes32 logId, uint64 compromisedAt);
    /// @notice The evidence names a checkpoint of this tree size, which the log never anchored.
    error AnchorRegistryNotAnchored(bytes32 logId, uint64 treeSize);
    /// @notice The inclusion proof does not show the leaf at this index in the tree of this size.
    error AnchorRegistryNotIncluded(bytes32 logId, uint64 leafIndex, uint64 treeSize);
    /// @notice The head proof is not well formed or does not lead to the heads root anchored at this tree size.
    error AnchorRegistryBadHeadProof(bytes32 logId, uint64 mapTreeSize, bytes32 key);
    /// @notice The head proof is about another key than the leaf's shipment.
    error AnchorRegistryHeadProofKeyMismatch(bytes32 logId, bytes32 key, bytes32 shipmentKey);
    /// @notice The heads map proven is older than the checkpoint holding the leaf, so it need not show the leaf.
    error AnchorRegistryMapBeforeLeaf(bytes32 logId, uint64 inTreeSize, uint64 mapTreeSize);
    /// @notice The heads map holds a head for the leaf's shipment that is not older than the leaf: nothing omitted.
    error AnchorRegistryNoOmission(bytes32 logId, bytes32 key, uint64 headSeq, uint64 leafSeq);
    /// @notice The head proof shows that the key has no head, so there is no head to prove false.
    error AnchorRegistryNoHead(bytes32 logId, uint64 mapTreeSize, bytes32 key);
    /// @notice The leaf the log holds at the head's index matches the head in hash, shipment key and seq.
    error AnchorRegistryHeadNotFalse(bytes32 logId, bytes32 key, uint64 leafIndex);
    /// @notice Both leaves of a duplicate-seq proof are at the same index: they are one leaf.
    error AnchorRegistrySameLeafIndex(bytes32 logId, uint64 leafIndex);
    /// @notice The two leaves differ in shipment key or seq, so neither repeats the other.
    error AnchorRegistryNotDuplicate(bytes32 logId, uint64 indexA, uint64 indexB);
    /// @notice The tree head is not signed by the log's current operator (signer is zero for an unreadable signature).
    error AnchorRegistryBadTreeHeadSignature(bytes32 logId, address signer, address operator);
    /// @notice The signed tree head and the anchored checkpoint hold the same leaf at this index.
    error AnchorRegistryNotEquivocation(bytes32 logId, uint64 leafIndex);

    /// @notice Registers a log and its operator. Admin only; the operator must hold LOG_OPERATOR.
    /// @param logId keccak256(utf8(logName)).
    /// @param operator The account that anchors the log's checkpoints.
    function registerLog(bytes32 logId, address operator) external;

    /// @notice Replaces a log's operator. Admin only; the new operator must hold LOG_OPERATOR.
    /// @param logId The log.
    /// @param operator The new operator.
    function setOperator(bytes32 logId, address operator) external;

    /// @notice Anchors checkpoint (treeSize, rootHash, headsRoot) of a log. Operator only, and the operator must still
    ///         hold LOG_OPERATOR; refused once the log is compromised. The first checkpoint needs an empty proof; every
    ///         later one an RFC 9162 consistency proof from the previous anchored checkpoint. The heads root cannot be
    ///         checked on-chain; anyone holding the log's leaves can, and can prove a false one (spec §4.1, §12).
    /// @param logId The log.
    /// @param treeSize The number of leaves, larger than the previous checkpoint's.
    /// @param rootHash The RFC 9162 root of the first `treeSize` leaves.
    /// @param headsRoot The root of the shipment heads map of the first `treeSize` leaves, not zero.
    /// @param consistencyProof The consistency proof from the previous checkpoint.
    function anchor(bytes32 logId, uint64 treeSize, bytes32 rootHash, bytes32 headsRoot, bytes32[] calldata consistencyProof)
        external;

    /// @notice Proves that an anchored heads map omits a leaf: the leaf is included at `leafIndex` in the checkpoint
    ///         `inTreeSize`, and the heads map anchored at `mapTreeSize >= inTreeSize` gives its shipment no head, or a
    ///         head with a lower seq than the leaf's. Compromises the log (reason "omission"), or reverts naming the
    ///         part that does not hold. A proof against a log already compromised reverts.
    /// @param logId The log.
    /// @param leaf The leaf's fields.
    /// @param leafIndex The leaf's index in the log.
    /// @param inTreeSize An anchored tree size holding the leaf.
    /// @param inclusionProof The leaf's RFC 9162 inclusion proof in the checkpoint `inTreeSize`.
    /// @param mapTreeSize An anchored tree size, at least `inTreeSize`.
    /// @param headProof The head proof of the leaf's shipment key in the heads map anchored at `mapTreeSize`.
    function proveOmission(
        bytes32 logId,
        Leaf calldata leaf,
        uint64 leafIndex,
        uint64 inTreeSize,
        bytes32[] calldata inclusionProof,
        uint64 mapTreeSize,
        HeadsMap.HeadProof calldata headProof
    ) external;

    /// @notice Proves that an anchored heads map holds a false head: the head proven for `headProof.key` at
    ///         `mapTreeSize` points at or past the end of the log (`leafIndex >= mapTreeSize`; `leaf` and
    ///         `inclusionProof` are then ignored), or the leaf the log holds at the head's index, proven included in
    ///         the checkpoint `mapTreeSize`, differs from the head in hash, shipment key or seq. Compromises the log
    ///         (reason "false-head"), or reverts naming the part that does not hold. A proof against a log already
    ///         compromised reverts.
    /// @param logId The log.
    /// @param mapTreeSize An anchored tree size.
    /// @param headProof A head proof (kind HeadsMap.KIND_HEAD) in the heads map anchored at `mapTreeSize`.
    /// @param leaf The fields of the leaf the log holds at the head's leafIndex.
    /// @param inclusionProof Its RFC 9162 inclusion proof at the head's leafIndex in the checkpoint `mapTreeSize`.
    function proveFalseHead(
        bytes32 logId,
        uint64 mapTreeSize,
        HeadsMap.HeadProof calldata headProof,
        Leaf calldata leaf,
        bytes32[] calldata inclusionProof
    ) external;

    /// @notice Proves that one anchored checkpoint holds two leaves, at different indexes, with the same shipment key
    ///         and seq: a second history of one shipment. Compromises the log (reason "duplicate-seq"), or reverts
    ///         naming the part that does not hold. A proof against a log already compromised reverts.
    /// @param logId The log.
    /// @param treeSize An anchored tree size holding both leaves.
    /// @param leafA The first leaf's fields.
    /// @param indexA The first leaf's index.
    /// @param proofA The first leaf's RFC 9162 inclusion proof in the checkpoint `treeSize`.
    /// @param leafB The second leaf's fields.
    /// @param indexB The second leaf's index, not `indexA`.
    /// @param proofB The second leaf's RFC 9162 inclusion proof in the checkpoint `treeSize`.
    function proveDuplicateSeq(
        bytes32 logId,
        uint64 treeSize,
        Leaf calldata leafA,
        uint64 indexA,
        bytes32[] calldata proofA,
        Leaf calldata leafB,
        uint64 indexB,
        bytes32[] calldata proofB
    ) external;

    /// @notice Proves that the operator signed a tree head that contradicts an anchored checkpoint: both hold a leaf
    ///         at `leafIndex` and the two leaves differ; or the head has the checkpoint's tree size and another root
    ///         (the leaf arguments are then ignored). The head must be signed by the log's current operator.
    ///         Compromises the log (reason "equivocation"), or reverts naming the part that does not hold. A proof
    ///         against a log already compromised reverts.
    /// @param logId The log.
    /// @param treeHead The signed tree head.
    /// @param leafIndex The index at which the two trees are compared.
    /// @param leafHashA The leaf hash at `leafIndex` in the signed head's tree.
    /// @param proofA Its RFC 9162 inclusion proof in (treeHead.treeSize, treeHead.rootHash).
    /// @param anchoredSize An anchored tree size.
    /// @param leafHashB The leaf hash at `leafIndex` in the checkpoint `anchoredSize`.
    /// @param proofB Its RFC 9162 inclusion proof in that checkpoint.
    function proveEquivocation(
        bytes32 logId,
        TreeHead calldata treeHead,
        uint64 leafIndex,
        bytes32 leafHashA,
        bytes32[] calldata proofA,
        uint64 anchoredSize,
        bytes32 leafHashB,
        bytes32[] calldata proofB
    ) external;

    /// @notice The newest anchored checkpoint of a log (zeros if none).
    /// @param logId The log.
    /// @return treeSize Its tree size.
    /// @return rootHash Its root.
    /// @return headsRoot Its heads map root.
    /// @return blockNumber The block it was anchored in.
    function latestCheckpoint(bytes32 logId)
        external
        view
        returns (uint64 treeSize, bytes32 rootHash, bytes32 headsRoot, uint64 blockNumber);

    /// @notice The checkpoint anchored for a log at a tree size (zeros if that size was never anchored).
    /// @param logId The log.
    /// @param treeSize The tree size.
    /// @return rootHash Its root.
    /// @return headsRoot Its heads map root.
    /// @return blockNumber The block it was anchored in.
    function checkpointAt(bytes32 logId, uint64 treeSize)
        external
        view
        returns (bytes32 rootHash, bytes32 headsRoot, uint64 blockNumber);

    /// @notice The operator of a log.
    /// @param logId The log.
    /// @return The operator, or the zero address for an unknown log.
    function operatorOf(bytes32 logId) external view returns (address);

    /// @notice The block in which misbehaviour of a log was proven.
    /// @param logId The log.
    /// @return blockNumber The block of the first proof that held, or zero while none did.
    function compromisedAt(bytes32 logId) external view returns (uint64 blockNumber);

    /// @notice The EIP-712 digest an operator signs for a tree head (spec §3.1), for tools.
    /// @param logId The log.
    /// @param treeSize The head's tree size.
    /// @param rootHash The head's root.
    /// @param timestamp The head's timestamp, in ms.
    /// @return The digest of TreeHead(logId, treeSize, rootHash, timestamp) under this contract's domain.
    function treeHeadDigest(bytes32 logId, uint64 treeSize, bytes32 rootHash, uint64 timestamp)
        external
        view
        returns (bytes32);
}
