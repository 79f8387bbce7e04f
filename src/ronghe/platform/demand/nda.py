"""The non-disclosure agreement (保密协议) a provider accepts before it may read an NDA-level demand.

The version is recorded with each acceptance, so a later change of wording never rewrites what was agreed.
"""

NDA_VERSION = "2026.1"

NDA_TEXT = f"""保密协议（ronghe 平台标准文本 {NDA_VERSION}）

1. 接受本协议的服务商（下称“接收方”）仅为评估和响应本需求之目的使用需求方披露的技术资料、财务信息、
   附件及联系方式（下称“保密信息”）。
2. 未经需求方书面同意，接收方不得向任何第三方披露、复制或转交保密信息，亦不得用于其他项目。
3. 接收方仅向确有需要知悉的员工披露保密信息，并确保其承担同等保密义务。
4. 平台记录接收方每一次查看保密信息的时间与人员，需求方可随时查阅。
5. 本协议自接受之时起生效，保密义务在需求关闭后三年内持续有效。

Non-disclosure agreement (ronghe standard text {NDA_VERSION}): the recipient uses the buyer's technical and
financial information, attachments and contacts only to evaluate and answer this demand, discloses them to no
third party, shares them only with staff who need to know, accepts that every view is logged, and keeps them
confidential for three years after the demand closes.
"""
