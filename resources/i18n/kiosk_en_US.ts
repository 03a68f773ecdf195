<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="zh_CN">
<context>
    <name>AlreadyRegisteredScreen</name>
    <message>
        <source>您已登记</source>
        <translation>You are already registered</translation>
    </message>
    <message>
        <source>这个身份证号和手机号已经登记过，无需再次入会。</source>
        <translation>This ID number and this phone number are already registered: no need to join again.</translation>
    </message>
    <message>
        <source>这个手机号已经登记过（身份证号不同）。如果号码输错了，请返回修改。</source>
        <translation>This phone number is already registered (with a different ID number). If you mistyped it, go back and correct it.</translation>
    </message>
    <message>
        <source>这个身份证号已经登记过（手机号不同）。如果号码输错了，请返回修改。</source>
        <translation>This ID number is already registered (with a different phone number). If you mistyped it, go back and correct it.</translation>
    </message>
    <message>
        <source>这是您的会员码，可再次拍照保存</source>
        <translation>This is your member pass; you can take a photo of it again</translation>
    </message>
    <message>
        <source>如需补发会员码，请到服务台，由工作人员帮您核实</source>
        <translation>For a new copy of your member pass, please ask the staff at the service desk</translation>
    </message>
    <message>
        <source>返回修改手机号</source>
        <translation>Correct the phone number</translation>
    </message>
    <message>
        <source>返回修改证件号</source>
        <translation>Correct the ID number</translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation>Back to start</translation>
    </message>
</context>
<context>
    <name>AttractScreen</name>
    <message>
        <source>我要入会</source>
        <translation>Join the union</translation>
    </message>
    <message>
        <source>有奖答题</source>
        <translation>Prize quiz</translation>
    </message>
    <message>
        <source>今日服务</source>
        <translation>Today&apos;s services</translation>
    </message>
    <message>
        <source>用手机扫码，也可以入会</source>
        <translation>Or scan with your phone to join</translation>
    </message>
    <message>
        <source>English</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>大字模式</source>
        <translation>Large text</translation>
    </message>
</context>
<context>
    <name>CameraScanner</name>
    <message>
        <source>关闭摄像头</source>
        <translation>Close the camera</translation>
    </message>
    <message>
        <source>摄像头画面</source>
        <translation>Camera view</translation>
    </message>
    <message>
        <source>将二维码对准摄像头，距离约一臂</source>
        <translation>Hold the code up to the camera, about an arm&apos;s length away</translation>
    </message>
    <message>
        <source>未找到摄像头：请使用扫码枪，或手动输入后按回车</source>
        <translation>No camera found: use the USB scanner, or type the code and press Enter</translation>
    </message>
    <message>
        <source>摄像头无法使用：</source>
        <translation>The camera cannot be used: </translation>
    </message>
    <message>
        <source>识别出错：</source>
        <translation>Reading failed: </translation>
    </message>
</context>
<context>
    <name>ClaimPage</name>
    <message>
        <source>输入手机号领奖</source>
        <translation>Claim with mobile number</translation>
    </message>
    <message>
        <source>扫描会员码领奖</source>
        <translation>Claim with member pass</translation>
    </message>
    <message>
        <source>手机号只用于核对每人限领一份，不会保存号码本身</source>
        <translation>Your number is only used to check one prize per person; the number itself is not stored</translation>
    </message>
    <message>
        <source>请将会员码对准扫描器</source>
        <translation>Hold your member pass up to the scanner</translation>
    </message>
    <message>
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>领取奖品</source>
        <translation>Claim prize</translation>
    </message>
</context>
<context>
    <name>ConfirmPurge</name>
    <message>
        <source>将清除本机 %1 条已同步记录中的个人信息（姓名、手机号、身份证号等）。统计数字和脱敏信息保留。</source>
        <translation>The personal data (name, phone, ID number and the like) of %1 synced records will be removed from this device. Counts and masked forms stay.</translation>
    </message>
    <message>
        <source>%1 条记录尚未同步，不会清除，仍保留在本机。</source>
        <translation>%1 records are not synced yet: they are not purged and stay on this device.</translation>
    </message>
    <message>
        <source>清除后无法恢复。确定清除吗？</source>
        <translation>This cannot be undone. Purge now?</translation>
    </message>
    <message>
        <source>清除本机个人信息</source>
        <translation>Purge personal data</translation>
    </message>
</context>
<context>
    <name>ConfirmQuit</name>
    <message>
        <source>退出程序</source>
        <translation>Quit the program</translation>
    </message>
    <message>
        <source>确定退出工会服务台程序吗？</source>
        <translation>Quit the union booth program?</translation>
    </message>
</context>
<context>
    <name>ConsentScreen</name>
    <message>
        <source>入会须知与个人信息告知</source>
        <translation>Personal information notice</translation>
    </message>
    <message>
        <source>我已阅读并同意，继续</source>
        <translation>I have read and agree, continue</translation>
    </message>
    <message>
        <source>不同意，返回首页</source>
        <translation>I do not agree</translation>
    </message>
</context>
<context>
    <name>ConsoleEnrolScreen</name>
    <message>
        <source>注册本设备</source>
        <translation>Enrol this device</translation>
    </message>
    <message>
        <source>输入或扫描市总工会给的注册码。注册后，本机的个人信息只能由市总工会的服务器打开。</source>
        <translation>Type or scan the enrolment code from the city union. Once enrolled, the personal data on this device can be opened only by the city union&apos;s server.</translation>
    </message>
    <message>
        <source>城市服务器地址</source>
        <translation>City server address</translation>
    </message>
    <message>
        <source>注册码（扫码枪扫描，或手动输入）</source>
        <translation>Enrolment code (scan it, or type it)</translation>
    </message>
    <message>
        <source>注册</source>
        <translation>Enrol</translation>
    </message>
    <message>
        <source>返回控制台</source>
        <translation>Back to the console</translation>
    </message>
    <message>
        <source>注册码</source>
        <translation>Enrolment code</translation>
    </message>
    <message>
        <source>正在注册…</source>
        <translation>Enrolling…</translation>
    </message>
</context>
<context>
    <name>ConsoleHomeScreen</name>
    <message>
        <source>活动</source>
        <translation>event</translation>
    </message>
    <message>
        <source>入会登记</source>
        <translation>registration</translation>
    </message>
    <message>
        <source>服务项目</source>
        <translation>services</translation>
    </message>
    <message>
        <source>咨询主题</source>
        <translation>consultation topics</translation>
    </message>
    <message>
        <source>发放物品</source>
        <translation>handout items</translation>
    </message>
    <message>
        <source>有奖答题</source>
        <translation>prize quiz</translation>
    </message>
    <message>
        <source>空闲超时</source>
        <translation>idle timeouts</translation>
    </message>
    <message>
        <source>保留天数</source>
        <translation>retention</translation>
    </message>
    <message>
        <source>配置已更新（城市服务器版本 %1）</source>
        <translation>Configuration updated (city server version %1)</translation>
    </message>
    <message>
        <source>：</source>
        <translation>: </translation>
    </message>
    <message>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <source>城市服务器下发的配置未通过检查，继续使用当前配置：</source>
        <translation>A configuration from the city server failed the checks; the current one stays: </translation>
    </message>
    <message>
        <source>志愿者控制台</source>
        <translation>Volunteer console</translation>
    </message>
    <message>
        <source>选择服务台，本机即作为该服务台的计数器：</source>
        <translation>Pick a desk: this device becomes that desk&apos;s counter:</translation>
    </message>
    <message>
        <source>今日数据与日报导出</source>
        <translation>Today&apos;s figures and day report</translation>
    </message>
    <message>
        <source>会员查询与更正</source>
        <translation>Find and correct a member</translation>
    </message>
    <message>
        <source>企业沟通会</source>
        <translation>Employer meetings</translation>
    </message>
    <message>
        <source>锁定并返回首页</source>
        <translation>Lock and return to start</translation>
    </message>
    <message>
        <source>切换全屏</source>
        <translation>Toggle fullscreen</translation>
    </message>
    <message>
        <source>退出程序</source>
        <translation>Quit the program</translation>
    </message>
    <message>
        <source>修改PIN</source>
        <translation>Change PIN</translation>
    </message>
    <message>
        <source>清除本机个人信息</source>
        <translation>Purge personal data</translation>
    </message>
    <message>
        <source>注册设备</source>
        <translation>Enrol device</translation>
    </message>
    <message>
        <source>已清除 %1 条已同步记录的个人信息。</source>
        <translation>Personal data of %1 synced records purged.</translation>
    </message>
    <message>
        <source>%1 条未同步的记录仍保留在本机：请先同步，再清除一次。</source>
        <translation> %1 unsynced records are still on this device: sync first, then purge again.</translation>
    </message>
    <message>
        <source>清除未完成，请重试：</source>
        <translation>Clearing did not finish, please try again: </translation>
    </message>
    <message>
        <source>志愿者PIN已修改。</source>
        <translation>The volunteer PIN was changed.</translation>
    </message>
</context>
<context>
    <name>ConsolePinChangeScreen</name>
    <message>
        <source>修改志愿者PIN</source>
        <translation>Change the volunteer PIN</translation>
    </message>
    <message>
        <source>当前PIN</source>
        <translation>Current PIN</translation>
    </message>
    <message>
        <source>新PIN（6–12 位数字）</source>
        <translation>New PIN (6–12 digits)</translation>
    </message>
    <message>
        <source>再次输入新PIN</source>
        <translation>New PIN again</translation>
    </message>
    <message>
        <source>保存新PIN</source>
        <translation>Save the new PIN</translation>
    </message>
    <message>
        <source>返回控制台</source>
        <translation>Back to the console</translation>
    </message>
</context>
<context>
    <name>ConsolePinScreen</name>
    <message>
        <source>解锁服务台 · 请志愿者输入PIN</source>
        <translation>Unlock the kiosk · a volunteer enters the PIN</translation>
    </message>
    <message>
        <source>解锁</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <source>志愿者控制台 · 请输入PIN</source>
        <translation>Volunteer console · enter the PIN</translation>
    </message>
    <message>
        <source>进入控制台</source>
        <translation>Open the console</translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation>Back to start</translation>
    </message>
</context>
<context>
    <name>ConsoleSetupScreen</name>
    <message>
        <source>展位设置（首次启动）</source>
        <translation>Booth setup (first start)</translation>
    </message>
    <message>
        <source>区</source>
        <translation>District</translation>
    </message>
    <message>
        <source>街道 / 乡镇</source>
        <translation>Sub-district / township</translation>
    </message>
    <message>
        <source>工会组织</source>
        <translation>Union organisation</translation>
    </message>
    <message>
        <source>会场类型</source>
        <translation>Venue type</translation>
    </message>
    <message>
        <source>展位名称</source>
        <translation>Booth name</translation>
    </message>
    <message>
        <source>设备名称</source>
        <translation>Device name</translation>
    </message>
    <message>
        <source>志愿者PIN（6–12 位数字）</source>
        <translation>Volunteer PIN (6–12 digits)</translation>
    </message>
    <message>
        <source>再次输入PIN</source>
        <translation>PIN again</translation>
    </message>
    <message>
        <source>主会场</source>
        <translation>Main venue</translation>
    </message>
    <message>
        <source>分会场</source>
        <translation>Sub-venue</translation>
    </message>
    <message>
        <source>保存并开始</source>
        <translation>Save and start</translation>
    </message>
</context>
<context>
    <name>DashboardScreen</name>
    <message>
        <source>导出进度</source>
        <translation>Export progress</translation>
    </message>
    <message>
        <source>今日数据</source>
        <translation>Today&apos;s figures</translation>
    </message>
    <message>
        <source>发展会员</source>
        <translation>New members</translation>
    </message>
    <message>
        <source>咨询人次（含各项服务）</source>
        <translation>Consultations (incl. services)</translation>
    </message>
    <message>
        <source>服务项目数</source>
        <translation>Service items</translation>
    </message>
    <message>
        <source>发放宣传品及礼品</source>
        <translation>Gifts and leaflets handed out</translation>
    </message>
    <message>
        <source>有奖答题 人次 / 通过 / 奖品</source>
        <translation>Quiz attempts / passed / prizes</translation>
    </message>
    <message>
        <source>互助服务卡申请</source>
        <translation>Mutual-aid card applications</translation>
    </message>
    <message>
        <source>同步：待上传 / 需处理</source>
        <translation>Sync: pending / needs attention</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Item</translation>
    </message>
    <message>
        <source>人次 / 已发</source>
        <translation>Count</translation>
    </message>
    <message>
        <source>库存剩余</source>
        <translation>Stock left</translation>
    </message>
    <message>
        <source>每小时人次（北京时间）</source>
        <translation>Visits per hour (Beijing time)</translation>
    </message>
    <message>
        <source>咨询与服务</source>
        <translation>Consultations and services</translation>
    </message>
    <message>
        <source>新会员</source>
        <translation>New members</translation>
    </message>
    <message>
        <source>导出日报 CSV</source>
        <translation>Export day report CSV</translation>
    </message>
    <message>
        <source>导出日报 Excel</source>
        <translation>Export day report Excel</translation>
    </message>
    <message>
        <source>返回控制台</source>
        <translation>Back to the console</translation>
    </message>
    <message>
        <source>导出失败，请检查U盘或文件夹：</source>
        <translation>Export failed, check the USB stick or folder: </translation>
    </message>
    <message>
        <source>已导出：</source>
        <translation>Exported: </translation>
    </message>
</context>
<context>
    <name>DigitsPage</name>
    <message>
        <source>您的手机号</source>
        <translation>Your mobile number</translation>
    </message>
    <message>
        <source>11位中国大陆手机号</source>
        <translation>An 11-digit mainland China mobile number</translation>
    </message>
    <message>
        <source>您的证件号码</source>
        <translation>Your ID number</translation>
    </message>
    <message>
        <source>已识别：%1</source>
        <translation>Recognised: %1</translation>
    </message>
    <message>
        <source>18位；最后一位是X的，请按X键</source>
        <translation>18 characters; if the last one is X, press the X key</translation>
    </message>
</context>
<context>
    <name>EmployerFollowUpScreen</name>
    <message>
        <source>已记录回访：%1</source>
        <translation>Follow-up visit recorded: %1</translation>
    </message>
    <message>
        <source>回访 %1 后：沟通结果与下次回访</source>
        <translation>After visiting %1 again: the outcome and the next visit</translation>
    </message>
    <message>
        <source>不再回访</source>
        <translation>No further visit</translation>
    </message>
    <message>
        <source>%1 天后</source>
        <translation>In %1 days</translation>
    </message>
    <message>
        <source>保存回访结果</source>
        <translation>Save the visit</translation>
    </message>
    <message>
        <source>已保存：%1</source>
        <translation>Saved: %1</translation>
    </message>
    <message>
        <source>企业沟通会</source>
        <translation>Employer meetings</translation>
    </message>
    <message>
        <source>本机已记录 %1 场，同意建会 %2 家，覆盖职工 %3 人</source>
        <translation>%1 meetings on this device, %2 enterprises agreed to found a union, %3 workers covered</translation>
    </message>
    <message>
        <source>记录一场新的企业沟通会</source>
        <translation>Record a new employer meeting</translation>
    </message>
    <message>
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>待回访：7天内或已过回访日期的企业，以及同意建会的企业</source>
        <translation>To follow up: follow-up date within 7 days or past, and enterprises that agreed to found a union</translation>
    </message>
    <message>
        <source>暂无待回访的企业</source>
        <translation>No enterprise to follow up</translation>
    </message>
    <message>
        <source>未定回访日期</source>
        <translation>No follow-up date</translation>
    </message>
    <message>
        <source>已逾期：%1</source>
        <translation>Overdue: %1</translation>
    </message>
    <message>
        <source>回访：%1</source>
        <translation>Follow up: %1</translation>
    </message>
    <message>
        <source>职工 %1 人</source>
        <translation>%1 workers</translation>
    </message>
</context>
<context>
    <name>EmployerMeetingScreen</name>
    <message>
        <source>企业沟通会记录</source>
        <translation>Employer meeting</translation>
    </message>
    <message>
        <source>企业名称</source>
        <translation>Enterprise name</translation>
    </message>
    <message>
        <source>统一社会信用代码（18位）</source>
        <translation>Unified social credit code (18 characters)</translation>
    </message>
    <message>
        <source>所属行业</source>
        <translation>Industry</translation>
    </message>
    <message>
        <source>职工人数</source>
        <translation>Workers</translation>
    </message>
    <message>
        <source>其中新就业形态劳动者（骑手、快递员等）</source>
        <translation>Of them new-employment-form workers (riders, couriers …)</translation>
    </message>
    <message>
        <source>联系人姓名</source>
        <translation>Contact person&apos;s name</translation>
    </message>
    <message>
        <source>联系人手机号</source>
        <translation>Contact person&apos;s mobile</translation>
    </message>
    <message>
        <source>是否已建工会</source>
        <translation>Union already founded?</translation>
    </message>
    <message>
        <source>企业规模（职工人数）</source>
        <translation>Size (workers)</translation>
    </message>
    <message>
        <source>了解到的需求（可多选）</source>
        <translation>Needs heard (any number)</translation>
    </message>
    <message>
        <source>商定的服务包项目（可多选）</source>
        <translation>Service package agreed (any number)</translation>
    </message>
    <message>
        <source>沟通结果</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <source>回访</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>其他需求（选填）</source>
        <translation>Other needs (optional)</translation>
    </message>
    <message>
        <source>已建工会</source>
        <translation>Has a union</translation>
    </message>
    <message>
        <source>尚未建会</source>
        <translation>No union yet</translation>
    </message>
    <message>
        <source>不安排</source>
        <translation>None</translation>
    </message>
    <message>
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>下一步</source>
        <translation>Next</translation>
    </message>
    <message>
        <source>上一步</source>
        <translation>Previous</translation>
    </message>
    <message>
        <source>保存记录</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>第 %1 / %2 步</source>
        <translation>Step %1 of %2</translation>
    </message>
    <message>
        <source>%1 天后（%2）</source>
        <translation>In %1 days (%2)</translation>
    </message>
</context>
<context>
    <name>EmployerPage</name>
    <message>
        <source>您的工作单位或平台</source>
        <translation>Your employer or platform</translation>
    </message>
    <message>
        <source>不在上面？请在这里输入</source>
        <translation>Not listed? Type it here</translation>
    </message>
    <message>
        <source>其他工作单位</source>
        <translation>Other employer</translation>
    </message>
    <message>
        <source>点选常见单位，或输入其他单位名称；可以不填</source>
        <translation>Tap a common employer or type another name; you may leave this empty</translation>
    </message>
</context>
<context>
    <name>ExportFolder</name>
    <message>
        <source>选择导出文件夹</source>
        <translation>Choose the export folder</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>演示模式 · 数据仅保存在本机，不会上报</source>
        <translation>Demo mode · data stays on this device and is not reported</translation>
    </message>
    <message>
        <source>职工沟通会 · 工会服务台</source>
        <translation>Worker Communication Meeting · Union booth</translation>
    </message>
</context>
<context>
    <name>MembersScreen</name>
    <message>
        <source>会员查询与更正</source>
        <translation>Find and correct a member</translation>
    </message>
    <message>
        <source>姓名，或手机号后四位</source>
        <translation>Name or last 4 phone digits</translation>
    </message>
    <message>
        <source>查询</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>原因（必填）</source>
        <translation>Reason (required)</translation>
    </message>
    <message>
        <source>作废此登记</source>
        <translation>Void this registration</translation>
    </message>
    <message>
        <source>更正</source>
        <translation>Correct</translation>
    </message>
    <message>
        <source>返回控制台</source>
        <translation>Back to the console</translation>
    </message>
    <message>
        <source>更正：</source>
        <translation>Correct: </translation>
    </message>
    <message>
        <source>找到 %1 人</source>
        <translation>%1 found</translation>
    </message>
    <message>
        <source>查询失败：</source>
        <translation>Search failed: </translation>
    </message>
    <message>
        <source>登记于</source>
        <translation>registered</translation>
    </message>
    <message>
        <source>新的%1</source>
        <translation>New %1</translation>
    </message>
    <message>
        <source>已作废（原记录保留）</source>
        <translation>Voided (the original record is kept)</translation>
    </message>
    <message>
        <source>已更正（原记录保留）</source>
        <translation>Corrected (the original record is kept)</translation>
    </message>
</context>
<context>
    <name>NamePage</name>
    <message>
        <source>间隔号</source>
        <translation>Middle dot</translation>
    </message>
    <message>
        <source>您的姓名</source>
        <translation>Your name</translation>
    </message>
    <message>
        <source>请输入身份证上的姓名</source>
        <translation>Your name as on your ID card</translation>
    </message>
    <message>
        <source>用下方键盘输入拼音，在候选字中点选。少数民族姓名中间的点请按“·”键。</source>
        <translation>Type pinyin on the keyboard below and tap the right characters. For the dot inside a name, press the “·” key.</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
</context>
<context>
    <name>NumericKeypad</name>
    <message>
        <source>清空</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>字母X</source>
        <translation>Letter X</translation>
    </message>
</context>
<context>
    <name>OccupationPage</name>
    <message>
        <source>您的职业</source>
        <translation>Your occupation</translation>
    </message>
</context>
<context>
    <name>PlacePage</name>
    <message>
        <source>工作所在区：%1</source>
        <translation>District where you work: %1</translation>
    </message>
    <message>
        <source>更改</source>
        <translation>Change</translation>
    </message>
    <message>
        <source>更改所在区</source>
        <translation>Change the district</translation>
    </message>
    <message>
        <source>街道（乡镇）</source>
        <translation>Sub-district or township</translation>
    </message>
    <message>
        <source>其他街道，请输入</source>
        <translation>Another sub-district: type it</translation>
    </message>
    <message>
        <source>其他街道</source>
        <translation>Other street</translation>
    </message>
</context>
<context>
    <name>QuestionPage</name>
    <message>
        <source>第 %1 / %2 题</source>
        <translation>Question %1 of %2</translation>
    </message>
    <message>
        <source>今日奖品已发完，欢迎继续答题学习</source>
        <translation>Today&apos;s prizes are gone — you are welcome to play and learn</translation>
    </message>
    <message>
        <source>单选题</source>
        <translation>Single choice</translation>
    </message>
    <message>
        <source>多选题（选出全部正确答案）</source>
        <translation>Multiple choice (choose every correct answer)</translation>
    </message>
    <message>
        <source>判断题</source>
        <translation>True or false</translation>
    </message>
    <message>
        <source>回答正确！</source>
        <translation>Correct!</translation>
    </message>
    <message>
        <source>回答错误</source>
        <translation>Not quite</translation>
    </message>
    <message>
        <source>依据：%1</source>
        <translation>Source: %1</translation>
    </message>
    <message>
        <source>查看结果</source>
        <translation>See the result</translation>
    </message>
    <message>
        <source>下一题</source>
        <translation>Next question</translation>
    </message>
    <message>
        <source>退出答题</source>
        <translation>Leave the quiz</translation>
    </message>
    <message>
        <source>确定</source>
        <translation>Confirm</translation>
    </message>
</context>
<context>
    <name>RegisterScreen</name>
    <message>
        <source>下一步</source>
        <translation>Next</translation>
    </message>
    <message>
        <source>尚未完成：%1</source>
        <translation>Still to complete: %1</translation>
    </message>
    <message>
        <source>上一步</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>（未填）</source>
        <translation>(not given)</translation>
    </message>
    <message>
        <source>已完成</source>
        <translation>done</translation>
    </message>
    <message>
        <source>需要修改</source>
        <translation>needs a correction</translation>
    </message>
    <message>
        <source>未完成</source>
        <translation>not done yet</translation>
    </message>
    <message>
        <source>第%1步 %2</source>
        <translation>Step %1 %2</translation>
    </message>
    <message>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <source>证件号</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>工作信息</source>
        <translation>Work</translation>
    </message>
    <message>
        <source>改好了，返回核对</source>
        <translation>Done, back to the review</translation>
    </message>
    <message>
        <source>上一步：返回入会须知</source>
        <translation>Back: to the notice</translation>
    </message>
    <message>
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <source>职业</source>
        <translation>Occupation</translation>
    </message>
    <message>
        <source>工作单位</source>
        <translation>Employer</translation>
    </message>
    <message>
        <source>所在区</source>
        <translation>District</translation>
    </message>
    <message>
        <source>街道</source>
        <translation>Sub-district</translation>
    </message>
    <message>
        <source>取消入会</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>已填写的内容将被清除，确定离开吗？</source>
        <translation>What you entered will be erased. Leave?</translation>
    </message>
    <message>
        <source>继续填写</source>
        <translation>Keep going</translation>
    </message>
    <message>
        <source>清除并离开</source>
        <translation>Erase and leave</translation>
    </message>
</context>
<context>
    <name>ResultPage</name>
    <message>
        <source>恭喜通过！</source>
        <translation>Well done, you passed!</translation>
    </message>
    <message>
        <source>差一点就通过了</source>
        <translation>Almost there</translation>
    </message>
    <message>
        <source>答对 %1 / %2 题（%3 题及格）</source>
        <translation>%1 of %2 correct (%3 needed to pass)</translation>
    </message>
    <message>
        <source>再试一次吧，每轮题目都不同</source>
        <translation>Try again — every round has different questions</translation>
    </message>
    <message>
        <source>奖品已发完，感谢参与！</source>
        <translation>The prizes are all gone. Thank you for taking part!</translation>
    </message>
    <message>
        <source>请用手机号或会员码领取奖品（每人限领一份）</source>
        <translation>Claim your prize with your mobile number or member pass (one per person)</translation>
    </message>
    <message>
        <source>输入手机号领奖</source>
        <translation>Claim with mobile number</translation>
    </message>
    <message>
        <source>扫描会员码领奖</source>
        <translation>Claim with member pass</translation>
    </message>
    <message>
        <source>再答一次</source>
        <translation>Play again</translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation>Back to start</translation>
    </message>
</context>
<context>
    <name>ReviewScreen</name>
    <message>
        <source>修改</source>
        <translation>Edit</translation>
    </message>
    <message>
        <source>修改%1</source>
        <translation>Edit %1</translation>
    </message>
    <message>
        <source>请核对您的信息</source>
        <translation>Please check your details</translation>
    </message>
    <message>
        <source>无误后，请读一遍入会誓词，再点“我宣誓，提交登记”</source>
        <translation>If all is right, read the membership oath, then tap “I so swear, submit”</translation>
    </message>
    <message>
        <source>我宣誓，提交登记</source>
        <translation>I so swear, submit</translation>
    </message>
    <message>
        <source>无误后，请点“提交登记”</source>
        <translation>If all is right, tap “Submit”</translation>
    </message>
    <message>
        <source>提交登记</source>
        <translation>Submit</translation>
    </message>
    <message>
        <source>上一步</source>
        <translation>Back</translation>
    </message>
</context>
<context>
    <name>ServicesScreen</name>
    <message>
        <source>今日服务</source>
        <translation>Today&apos;s services</translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation>Back to start</translation>
    </message>
</context>
<context>
    <name>StationScreen</name>
    <message>
        <source>已记录 +1</source>
        <translation>Recorded +1</translation>
    </message>
    <message>
        <source>扫码</source>
        <translation>scanned</translation>
    </message>
    <message>
        <source>手动输入</source>
        <translation>typed</translation>
    </message>
    <message>
        <source>答题兑奖码</source>
        <translation>quiz voucher</translation>
    </message>
    <message>
        <source>已记录：%1（%2）</source>
        <translation>Recorded: %1 (%2)</translation>
    </message>
    <message>
        <source>已切换到：%1，请发放此物品</source>
        <translation>Switched to: %1 — hand out this item</translation>
    </message>
    <message>
        <source>已撤销上一条（作废记录已保存）</source>
        <translation>Last entry undone (a void record was kept)</translation>
    </message>
    <message>
        <source>本台今日：%1 人次</source>
        <translation>This desk today: %1 visits</translation>
    </message>
    <message>
        <source>库存剩余：%1</source>
        <translation>Stock left: %1</translation>
    </message>
    <message>
        <source>库存不足，请及时补货</source>
        <translation>Low stock: restock soon</translation>
    </message>
    <message>
        <source>+1 不适用</source>
        <translation>+1 not available</translation>
    </message>
    <message>
        <source>此服务台只为会员办理，请扫描会员码</source>
        <translation>This desk serves members only: scan a member pass</translation>
    </message>
    <message>
        <source>%1凭答题兑奖码领取，请扫码</source>
        <translation>%1 is given for a quiz voucher: scan it</translation>
    </message>
    <message>
        <source>%1每人限领一份，请扫描会员码</source>
        <translation>%1 is one per member: scan a member pass</translation>
    </message>
    <message>
        <source>扫描会员码或答题兑奖码；也可手动输入后按回车</source>
        <translation>Scan a member pass or quiz voucher, or type it and press Enter</translation>
    </message>
    <message>
        <source>扫描会员码；也可手动输入后按回车</source>
        <translation>Scan a member pass, or type it and press Enter</translation>
    </message>
    <message>
        <source>+1 来访（未出示会员码）</source>
        <translation>+1 visitor (no member pass)</translation>
    </message>
    <message>
        <source>撤销上一条</source>
        <translation>Undo last entry</translation>
    </message>
    <message>
        <source>摄像头扫码</source>
        <translation>Scan with camera</translation>
    </message>
    <message>
        <source>返回控制台</source>
        <translation>Back to the console</translation>
    </message>
</context>
<context>
    <name>StillThereOverlay</name>
    <message>
        <source>还在吗？</source>
        <translation>Are you still there?</translation>
    </message>
    <message>
        <source>我还在，继续</source>
        <translation>I&apos;m here, continue</translation>
    </message>
    <message numerus="yes">
        <source>%n 秒后将清除您填写的内容并返回首页</source>
        <translation>
            <numerusform>In %n second, what you entered will be cleared and the kiosk returns to the start</numerusform>
            <numerusform>In %n seconds, what you entered will be cleared and the kiosk returns to the start</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>VoucherPage</name>
    <message>
        <source>领奖成功</source>
        <translation>Prize claimed</translation>
    </message>
    <message>
        <source>请拍下或出示此二维码，到发放台领取%1</source>
        <translation>Take a photo of this code or show it at the handout desk to collect your %1</translation>
    </message>
    <message>
        <source>完成</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>WelcomeScreen</name>
    <message>
        <source>职工福利包</source>
        <translation>member welfare pack</translation>
    </message>
    <message>
        <source>欢迎加入工会！</source>
        <translation>Welcome to the union!</translation>
    </message>
    <message>
        <source>这是您的会员码，请用手机拍下来</source>
        <translation>This is your member pass: take a photo of it with your phone</translation>
    </message>
    <message>
        <source>接下来</source>
        <translation>What next</translation>
    </message>
    <message>
        <source>① 到各服务台出示会员码，享受今日服务</source>
        <translation>① Show your member pass at any service desk for today&apos;s services</translation>
    </message>
    <message>
        <source>② 到发放台出示会员码，领取%1</source>
        <translation>② Show your member pass at the handout desk to receive your %1</translation>
    </message>
    <message>
        <source>③ 到银行服务台办理工会会员互助服务卡</source>
        <translation>③ Apply for the union member mutual-aid service card at the bank desk</translation>
    </message>
    <message>
        <source>完成</source>
        <translation>Done</translation>
    </message>
</context>
</TS>
