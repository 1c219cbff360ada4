import HubProtocol
import SwiftProtobuf

/// Fixtures of the risk control messages (risk notices and reviewers' dispositions), every
/// field set, as ProtoJSON.
extension BusinessFixtures {
    static var riskMessages: [any SwiftProtobuf.Message] { [riskEvidence, riskNotice, riskDisposition] }

    static var riskEvidence: BizRiskEvidence {
        parsed(#"{"key": "year_total_cny", "value": "27300.00"}"#)
    }

    static var riskNotice: BizRiskNotice {
        parsed(
            """
            {"noticeId": "risk:platform:inv-7:consumer_quota", "rule": "consumer_quota", "subjectType": "ceb.Inventory",
             "subjectId": "inv-7", "subjectKey": "ORD-7", "subjectFiler": "platform", "enterpriseCode": "3301960001",
             "enterpriseName": "杭州跨境电商有限公司", "severity": "high",
             "evidence": [{"key": "year_total_cny", "value": "27300.00"}, {"key": "year_limit_cny", "value": "26000"}],
             "personalEvidence": [{"key": "buyer_id_number", "value": "330102199001011234"}],
             "relatedIds": ["inv-3", "inv-5"], "disposition": "RISK_STATE_OPEN", "held": true, "reviewers": ["customs"],
             "detectedAtUs": "1795000000000000"}
            """)
    }

    static var riskDisposition: BizRiskDisposition {
        parsed(
            #"{"noticeId": "risk:platform:inv-7:consumer_quota", "decision": "RISK_DECISION_REFUSE", "reason": "年度限额已用完"}"#)
    }
}
