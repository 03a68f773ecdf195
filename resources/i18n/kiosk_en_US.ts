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
        <source>这个身份证号或手机号已经在本展位登记过，无需再次入会。</source>
        <translation>This ID number or mobile number is already registered at this booth; there is no need to join again.</translation>
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
        <source>号码输错了，返回修改</source>
        <translation>Wrong number? Go back</translation>
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
    <name>ConsentScreen</name>
    <message>
        <source>入会须知与个人信息告知</source>
        <translation>Personal information notice</translation>
    </message>
    <message>
        <source>我已阅读并同意以上告知</source>
        <translation>I have read and agree</translation>
    </message>
    <message>
        <source>不同意，返回首页</source>
        <translation>I do not agree</translation>
    </message>
    <message>
        <source>同意并继续</source>
        <translation>Agree and continue</translation>
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
        <source>您的身份证号</source>
        <translation>Your resident ID number</translation>
    </message>
    <message>
        <source>18位；最后一位是X的，请按X键。性别和出生日期由身份证号得出，不再询问。</source>
        <translation>18 characters; if the last one is X, press the X key. Sex and birth date come from the ID number and are not asked.</translation>
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
        <source>点选常见单位，或输入其他单位名称；可以不填</source>
        <translation>Tap a common employer or type another name; you may leave this empty</translation>
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
    <name>NamePage</name>
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
</context>
<context>
    <name>OathScreen</name>
    <message>
        <source>入会宣誓</source>
        <translation>Membership oath</translation>
    </message>
    <message>
        <source>请读一遍入会誓词，然后点“我宣誓”</source>
        <translation>Please read the oath (in Chinese), then tap “I take the oath”</translation>
    </message>
    <message>
        <source>上一步</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>我宣誓</source>
        <translation>I take the oath</translation>
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
        <source>您工作所在的区（已按本展位所在地选好，不同请修改）</source>
        <translation>The district where you work (preset to this booth&apos;s; change it if yours differs)</translation>
    </message>
    <message>
        <source>街道（乡镇）</source>
        <translation>Sub-district or township</translation>
    </message>
    <message>
        <source>其他街道，请输入</source>
        <translation>Another sub-district: type it</translation>
    </message>
</context>
<context>
    <name>RegisterScreen</name>
    <message>
        <source>下一步</source>
        <translation>Next</translation>
    </message>
    <message>
        <source>提交登记</source>
        <translation>Submit</translation>
    </message>
    <message>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <source>尚未完成：%1</source>
        <translation>Still to complete: %1</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
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
        <source>手机号</source>
        <translation>Mobile</translation>
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
